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

    /// fastkokoro 0.7 refuses speeds outside 1–2 (HTTP 422); `speed_range` says so and the hub clamps.
    @Test func aSpeedRangeIsReadAndChecked() throws {
        let server = "http://127.0.0.1:9"
        func engine(_ bounds: [String]) throws -> any TTSEngine {
            let at = ConfigLocation(file: "test.yaml", line: 1, column: 1, keyPath: "backends.test")
            let range = ConfigNode(.sequence(bounds.map { ConfigNode(.scalar($0), at: at) }), at: at.child("speed_range"))
            let node = ConfigNode(.mapping([(key: "url", value: ConfigNode(.scalar(server), at: at)), (key: "speed_range", value: range)]), at: at)
            guard case .tts(let engine) = try KokoroHTTPEngine.descriptor.make(node, PluginContext(instanceName: "k", logger: .init(label: "t"))) else {
                throw PluginTestFailure("not TTS")
            }
            return engine
        }
        #expect(try engine(["1.0", "2.0"]).speedRange == 1.0...2.0)
        #expect(try PluginOptions.tts(KokoroHTTPEngine.descriptor, ["url": server]).speedRange == nil, "unknown: any speed")
        #expect(throws: ConfigError.self) { try engine(["2.0", "1.0"]) }
        #expect(throws: ConfigError.self) { try engine(["1.0"]) }
    }
}
