#if canImport(Glibc)
import ClawMuxTesting
import Glibc
#endif
import Foundation
import PluginAPI
@testable import Plugins
import Testing

/// The piper plugin against the real Piper from PyPI (scripts/test.sh points at it), plus
/// failure tests with a stand-in that crashes or hangs on purpose.
@Suite("Piper plugin", .serialized, .enabled(if: RealPiper.available, "needs CLAWMUX_TEST_PIPER and CLAWMUX_TEST_PIPER_MODEL (scripts/test.sh)"))
struct PiperEngineTests {
    func engine(_ extra: [String: String] = [:]) throws -> PiperEngine {
        var options = ["executable": RealPiper.executable ?? "", "model": RealPiper.model ?? "", "timeout": "30s"]
        options.merge(extra) { $1 }
        return try #require(try PluginOptions.tts(PiperEngine.descriptor, options) as? PiperEngine)
    }

    func pid(_ engine: PiperEngine) async throws -> Int32 {
        let detail = try await engine.probe()
        return try #require(Int32(detail.split(separator: " ").dropFirst(2).first ?? ""), "\(detail)")
    }

    @Test("speaks PCM at the rate of the model's .onnx.json; back-to-back utterances each get their own audio")
    func backToBack() async throws {
        let engine = try engine()
        defer { Task { await engine.shutdown() } }
        #expect(try engine.defaultModel.load().sampleRate == 22050)
        var lengths: [Double] = []
        for text in ["Hi.", "This sentence is quite a bit longer than the first one was.", "Okay."] {
            let audio = try await engine.synthesize(SpeechRequest(text: text, voice: "joe"))
            #expect(audio.format == .pcm16(sampleRate: 22050))
            lengths.append(try await audio.pcmSeconds().seconds)
        }
        #expect(lengths[1] > lengths[0] * 2 && lengths[1] > lengths[2] * 2, "each answer is its own utterance: \(lengths)")
        #expect(lengths.allSatisfy { $0 > 0.2 })
    }

    @Test("concurrent requests share one process and never get each other's audio")
    func concurrent() async throws {
        let engine = try engine()
        defer { Task { await engine.shutdown() } }
        let before = try await pid(engine)
        let texts = ["Yes.", "No.", "Here is a much longer sentence that takes clearly more time to say out loud.", "Maybe."]
        let lengths = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await engine.synthesize(SpeechRequest(text: text, voice: "joe")).pcmSeconds().seconds) }
            }
            var lengths = [Double](repeating: 0, count: texts.count)
            for try await (index, seconds) in group { lengths[index] = seconds }
            return lengths
        }
        #expect(lengths[2] > 2 * max(lengths[0], lengths[1], lengths[3]), "\(lengths)")
        #expect(try await pid(engine) == before, "one process for the model: it was not reloaded")
    }

    @Test("speed shortens the audio (length scale), from a process of its own")
    func speed() async throws {
        let engine = try engine()
        defer { Task { await engine.shutdown() } }
        let text = "The quick brown fox jumps over the lazy dog."
        let normal = try await engine.synthesize(SpeechRequest(text: text, voice: "joe")).pcmSeconds().seconds
        let fast = try await engine.synthesize(SpeechRequest(text: text, voice: "joe", speed: 2)).pcmSeconds().seconds
        #expect(fast < normal * 0.7, "normal \(normal) s, fast \(fast) s")
    }

    @Test("text is one stdin line: options and newlines in it are just words")
    func textIsData() async throws {
        let engine = try engine()
        defer { Task { await engine.shutdown() } }
        let audio = try await engine.synthesize(SpeechRequest(text: "-m /etc/passwd --output-raw\n-d /tmp\u{0}\nthird [[ line ]]", voice: "joe"))
        #expect(try await audio.pcmSeconds().seconds > 1)
        // No letters or digits: nothing to say, and no hang waiting for a file Piper never writes.
        for punctuation in [" ... !!", "—", "()", "\u{0}"] {
            let nothing = try await engine.synthesize(SpeechRequest(text: punctuation, voice: "joe"))
            #expect(try await nothing.collect().isEmpty)
        }
        #expect(try await engine.synthesize(SpeechRequest(text: "Still alive.", voice: "joe")).pcmSeconds().seconds > 0.3)
    }

    @Test("a process killed between utterances is replaced; one killed mid-utterance fails that request, not the next")
    func killed() async throws {
        let engine = try engine()
        defer { Task { await engine.shutdown() } }
        let first = try await pid(engine)
        kill(first, SIGKILL)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await engine.synthesize(SpeechRequest(text: "Still here.", voice: "joe")).pcmSeconds().seconds > 0.3)
        let second = try await pid(engine)
        #expect(second != first)

        let long = String(repeating: "This is a long utterance that keeps Piper busy for a while. ", count: 12)
        let killer = Task {
            try await Task.sleep(for: .milliseconds(300))
            kill(second, SIGKILL)
        }
        await #expect(throws: (any Error).self) { _ = try await engine.synthesize(SpeechRequest(text: long, voice: "joe")) }
        _ = try? await killer.value
        #expect(try await engine.synthesize(SpeechRequest(text: "Back again.", voice: "joe")).pcmSeconds().seconds > 0.3)
    }

    @Test("a stand-in that crashes mid-utterance: the request fails with piper's exit, quickly")
    func crashingStandIn() async throws {
        setenv("FAKE_PIPER_MODE", "crash", 1)
        let engine = try engine(["executable": Fixtures.path("fake-piper.py")])
        defer { Task { await engine.shutdown() } }
        let error = await #expect(throws: (any Error).self) { _ = try await engine.synthesize(SpeechRequest(text: "Hello.", voice: "joe")) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("piper exited"))
    }

    @Test("a stand-in that hangs: the request times out and the process is killed")
    func hangingStandIn() async throws {
        setenv("FAKE_PIPER_MODE", "hang", 1)
        let engine = try engine(["executable": Fixtures.path("fake-piper.py"), "timeout": "1s"])
        defer { Task { await engine.shutdown() } }
        let pid = try await pid(engine)
        let started = ContinuousClock.now
        let error = await #expect(throws: SpeechError.self) { _ = try await engine.synthesize(SpeechRequest(text: "Hello.", voice: "joe")) }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect("\(error.map { "\($0)" } ?? "")".contains("did not answer within"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(kill(pid, 0) != 0, "the hung process is gone")
    }

    @Test("a missing model: the engine loads, its probe and requests fail naming the path")
    func missingModel() async throws {
        let engine = try PluginOptions.tts(PiperEngine.descriptor, ["model": "/nonexistent/voice.onnx"])
        await #expect(throws: PiperModelError.self) { _ = try await engine.probe() }
        let error = await #expect(throws: PiperModelError.self) { _ = try await engine.synthesize(SpeechRequest(text: "Hi.", voice: "x")) }
        #expect(error?.description.contains("/nonexistent/voice.onnx") == true)
    }
}
