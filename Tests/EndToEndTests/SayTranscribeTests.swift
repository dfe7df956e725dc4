import Foundation
import Testing
import ClawMuxTesting

/// `clawmux say` and `clawmux transcribe` exercise the routing from the command line, against
/// the real Piper and the real faster-whisper-server.
@Suite("say and transcribe", .enabled(if: RealEngines.available, "needs the engines scripts/test.sh sets up"))
struct SayTranscribeTests {
    static func config(in directory: URL, sttChain: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let yaml = """
            backends:
              broken: {plugin: kokoro-http, url: "http://127.0.0.1:9", timeout: 2s}
              piper: {plugin: piper, executable: "\(environment["CLAWMUX_TEST_PIPER"] ?? "")", model: "\(environment["CLAWMUX_TEST_PIPER_MODEL"] ?? "")"}
              deaf: {plugin: whisper-http, url: "http://127.0.0.1:9", timeout: 2s}
              whisper: {plugin: whisper-http, url: "\(RealEngines.sttURL ?? "")", timeout: 120s}
            voices:
              joe: {label: Joe, chain: [broken, piper]}
            stt: {chain: [\(sttChain)], language: en}
            sessions: {spawner: pty}
            """
        let path = directory.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("say → transcribe recovers the words, each through a chain whose first engine is down")
    func roundTrip() async throws {
        let directory = try TestPaths.temporaryDirectory("say")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(in: directory, sttChain: "deaf, whisper")
        let wav = directory.appendingPathComponent("hello.wav").path
        let text = "The weather today is sunny and warm."
        let said = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "say", "--config", config, "--voice", "joe", text, "-o", wav]) }
        #expect(said?.status == 0, "\(said?.output ?? "")")
        #expect(said?.output.contains("wrote \(wav) (audio/wav") == true)

        let heard = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "transcribe", "--config", config, "--log-level", "error", wav]) }
        #expect(heard?.status == 0, "\(heard?.output ?? "")")
        #expect(Fuzzy.overlap(expected: text, heard: heard?.output ?? "") >= 0.7, "heard: \(heard?.output ?? "")")

        // An mp3 is asked for: ffmpeg converts Piper's WAV.
        let mp3 = directory.appendingPathComponent("hello.mp3").path
        let converted = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "say", "--config", config, "Hello.", "-o", mp3]) }
        #expect(converted?.status == 0, "\(converted?.output ?? "")")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: mp3))
        #expect(bytes.starts(with: Array("ID3".utf8)) || bytes.first == 0xFF, "an MP3 file")
    }

    @Test("an unknown voice and an STT chain that is all down give clear errors and exit non-zero")
    func errors() async throws {
        let directory = try TestPaths.temporaryDirectory("say-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.config(in: directory, sttChain: "deaf")
        let unknown = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "say", "--config", config, "--voice", "nobody", "Hi.", "-o", "/tmp/x.wav"]) }
        #expect(unknown?.status != 0)
        #expect(unknown?.output.contains("nobody") == true, "\(unknown?.output ?? "")")
        let wav = directory.appendingPathComponent("in.wav").path
        _ = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "say", "--config", config, "Hi.", "-o", wav]) }
        let deaf = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "transcribe", "--config", config, wav]) }
        #expect(deaf?.status != 0)
        #expect(deaf?.output.contains("every engine failed: deaf is unreachable") == true, "\(deaf?.output ?? "")")
    }
}
