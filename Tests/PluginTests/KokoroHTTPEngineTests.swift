import ClawMuxTesting
import Foundation
@testable import Plugins
import PluginAPI
import Testing

/// The OpenAI-compatible TTS plugin against the testing module's fake speech server: what a new
/// HTTP engine's unit test looks like (one file, the plugin's table line, this).
struct KokoroHTTPEngineTests {
    @Test func itAsksForTheVoiceAndSpeedAndStreamsTheAnswer() async throws {
        let server = try await FakeSpeechServer.shared()
        let engine = try PluginOptions.tts(KokoroHTTPEngine.descriptor, ["url": server.url, "response_format": "mp3"])
        #expect(engine.streamsAudio && engine.audioFormat == .mp3)
        let audio = try await engine.synthesize(SpeechRequest(text: "Hello", voice: "af_sky", speed: 1.25))
        #expect(audio.format == .mp3)
        #expect(String(decoding: try await audio.collect(), as: UTF8.self) == "AUDIO[af_sky@1.25]:Hello")
        #expect(try await engine.probe().contains("model"))
    }

    @Test func aFormatThatDoesNotJoinIsSpokenWhole() async throws {
        let server = try await FakeSpeechServer.shared()
        let engine = try PluginOptions.tts(KokoroHTTPEngine.descriptor, ["url": server.url, "response_format": "opus", "streaming": "false"])
        #expect(!engine.streamsAudio)
        #expect(engine.audioFormat?.joinsByConcatenation == false, "Ogg pages of two requests do not make one file")
        let mp3 = try PluginOptions.tts(KokoroHTTPEngine.descriptor, ["url": server.url, "response_format": "mp3", "streaming": "false"])
        #expect(mp3.audioFormat?.joinsByConcatenation == true)
    }

    @Test func anEngineErrorNamesTheEngineAndStatus() async throws {
        let server = try await FakeSpeechServer.shared()
        let engine = try PluginOptions.tts(KokoroHTTPEngine.descriptor, ["url": server.url])
        do {
            _ = try await engine.synthesize(SpeechRequest(text: "FAIL-TTS", voice: "af_sky")).collect()
            Issue.record("no error")
        } catch let error as SpeechError {
            #expect("\(error)".contains("HTTP 500"), "\(error)")
        }
    }
}
