import ClawMuxTesting
import Foundation
import PluginAPI
@testable import Plugins
import Testing
import PluginRuntime

/// The Wyoming clients against wyoming-piper and wyoming-faster-whisper from PyPI
/// (scripts/test.sh starts them with local files only).
@Suite("Wyoming plugins", .enabled(if: RealWyoming.available, "needs CLAWMUX_TEST_WYOMING_TTS and _STT (scripts/test.sh)"))
struct WyomingEngineTests {
    func tts() throws -> any TTSEngine {
        try PluginOptions.tts(WyomingTTSEngine.descriptor, ["uri": RealWyoming.tts ?? "", "timeout": "60s"])
    }

    func stt() throws -> any STTEngine {
        try PluginOptions.stt(WyomingSTTEngine.descriptor, ["uri": RealWyoming.stt ?? "", "language": "en", "timeout": "120s"])
    }

    @Test("describe: both servers answer the health probe with what they serve")
    func probes() async throws {
        let voices = try await tts().probe()
        #expect(voices.contains("voice(s)"), "\(voices)")
        let models = try await stt().probe()
        #expect(models.hasPrefix("models "), "\(models)")
    }

    @Test("synthesize streams 16-bit PCM with the rate from audio-start; transcribe hears it back")
    func roundTrip() async throws {
        let text = "Turn on the kitchen lights at seven."
        // A voice the server does not list falls back to its default voice.
        let speech = try await tts().synthesize(SpeechRequest(text: text, voice: "af_sky"))
        #expect(speech.format == .pcm16(sampleRate: 22050))
        var chunks = 0
        var pcm = Data()
        for try await chunk in speech.chunks {
            chunks += 1
            pcm.append(chunk)
        }
        #expect(pcm.count > 22050, "more than half a second of audio")
        #expect(chunks >= 1)

        let heard = try await stt().transcribe(TranscriptionRequest(audio: pcm, format: .pcm16(sampleRate: 22050), language: "en"))
        let expected = Set(text.lowercased().split { !$0.isLetter }.map(String.init))
        let got = Set(heard.lowercased().split { !$0.isLetter }.map(String.init))
        #expect(Double(expected.intersection(got).count) / Double(expected.count) >= 0.7, "heard: \(heard)")

        // The same audio as a WAV file, and as MP3 (through ffmpeg), gives the same words.
        let wav = WAVFile.wrap(pcm, sampleRate: 22050)
        let fromWAV = try await stt().transcribe(TranscriptionRequest(audio: wav, format: .wav, language: "en"))
        #expect(Set(fromWAV.lowercased().split { !$0.isLetter }.map(String.init)).intersection(expected).count >= expected.count * 7 / 10)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wyoming-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wavPath = directory.appendingPathComponent("in.wav").path, mp3Path = directory.appendingPathComponent("in.mp3").path
        try wav.write(to: URL(fileURLWithPath: wavPath))
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ffmpeg.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", wavPath, mp3Path]
        try ffmpeg.run()
        // Waiting blocks a thread: not one of the (two) that run every test's async code.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { ffmpeg.waitUntilExit(); done.resume() }.start()
        }
        let mp3 = try Data(contentsOf: URL(fileURLWithPath: mp3Path))
        let fromMP3 = try await stt().transcribe(TranscriptionRequest(audio: mp3, format: .mp3, language: "en"))
        #expect(Set(fromMP3.lowercased().split { !$0.isLetter }.map(String.init)).intersection(expected).count >= expected.count * 7 / 10,
                "heard from MP3: \(fromMP3)")
    }

    @Test("a closed port is a clear unreachable error, quickly")
    func closedPort() async throws {
        let engine = try PluginOptions.tts(WyomingTTSEngine.descriptor, ["uri": "tcp://127.0.0.1:9"])
        let error = await #expect(throws: SpeechError.self) { _ = try await engine.synthesize(SpeechRequest(text: "Hi.", voice: "x")) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("unreachable"))
    }

    @Test("a bad uri is a config error")
    func badURI() {
        #expect(throws: ConfigError.self) { _ = try PluginOptions.tts(WyomingTTSEngine.descriptor, ["uri": "http://127.0.0.1:10200"]) }
    }
}

enum RealWyoming {
    static var tts: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_WYOMING_TTS"] }
    static var stt: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_WYOMING_STT"] }
    static var available: Bool { tts != nil && stt != nil }
}
