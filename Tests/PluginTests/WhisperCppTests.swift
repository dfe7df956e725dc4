import ClawMuxTesting
import Foundation
import PluginAPI
@testable import Plugins
import Testing
import PluginRuntime

/// whisper-http's `api: whisper.cpp` against whisper.cpp's own server (built from the
/// pywhispercpp source package by scripts/setup-whisper-cpp.sh, model converted from tiny.en).
@Suite("whisper.cpp /inference", .enabled(if: ProcessInfo.processInfo.environment["CLAWMUX_TEST_WHISPER_CPP_URL"] != nil
    && RealPiper.available, "needs CLAWMUX_TEST_WHISPER_CPP_URL and Piper (scripts/test.sh)"))
struct WhisperCppTests {
    let url = ProcessInfo.processInfo.environment["CLAWMUX_TEST_WHISPER_CPP_URL"] ?? ""

    func speech(_ text: String) async throws -> Data {
        let piper = try PluginOptions.tts(PiperEngine.descriptor, ["executable": RealPiper.executable ?? "", "model": RealPiper.model ?? ""])
        defer { if let piper = piper as? PiperEngine { Task { await piper.shutdown() } } }
        let pcm = try await piper.synthesize(SpeechRequest(text: text, voice: "joe")).collect()
        return WAVFile.wrap(pcm, sampleRate: 22050)
    }

    @Test("a WAV recording comes back as its words; the probe answers")
    func transcribes() async throws {
        let engine = try PluginOptions.stt(WhisperHTTPEngine.descriptor, ["url": url, "api": "whisper.cpp", "language": "en", "timeout": "120s"])
        #expect(try await engine.probe().contains("healthy"))
        let text = "Please check the build logs and run the tests."
        let heard = try await engine.transcribe(TranscriptionRequest(audio: try await speech(text), format: .wav))
        let expected = Set(text.lowercased().split { !$0.isLetter }.map(String.init))
        let got = Set(heard.lowercased().split { !$0.isLetter }.map(String.init))
        #expect(Double(expected.intersection(got).count) / Double(expected.count) >= 0.7, "heard: \(heard)")
        #expect(heard == heard.trimmingCharacters(in: .whitespacesAndNewlines), "whisper.cpp's leading space and newline are trimmed")
    }
}
