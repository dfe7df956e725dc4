import Foundation
import Testing
import ClawMuxTesting

/// `clawmux check` as a user runs it: one line per backend, non-zero exit on any problem.
@Suite("clawmux check")
struct CheckCommandTests {
    func check(_ yaml: String) async throws -> (status: Int32, output: String) {
        let directory = try TestPaths.temporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return await Blocking.run { (try? ProcessInspection.run([TestPaths.clawmux, "check", "--config", path])) ?? (-1, "could not run") }
    }

    static func config(tts: String, extra: String = "") -> String {
        """
        backends:
          tts: {plugin: kokoro-http, url: "\(tts)", timeout: 20s}
          stt: {plugin: whisper-http, url: "\(tts)", timeout: 20s}\(extra)
        voices:
          sky: {backend: tts}
        sessions: {spawner: pty}
        stt: {backend: stt}
        """
    }

    @Test("healthy backends: exit 0 and an ok line each")
    func healthy() async throws {
        let engines = try await FakeSpeechServer.shared()
        let (status, output) = try await check(Self.config(tts: engines.url))
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok   tts (kokoro-http, tts)"))
        #expect(output.contains("ok   stt (whisper-http, stt)"))
        #expect(output.contains("ok   pty (pty, spawner)"))
    }

    @Test("an unreachable backend: exit 1 and a FAIL line naming it")
    func unreachable() async throws {
        let (status, output) = try await check(Self.config(tts: "http://127.0.0.1:9"))
        #expect(status == 1)
        #expect(output.contains("FAIL tts (kokoro-http, tts)"))
        #expect(output.contains("unreachable"))
    }

    @Test("a bad config: exit non-zero with file, line and key")
    func badConfig() async throws {
        let (status, output) = try await check(Self.config(tts: "http://127.0.0.1:9", extra: "\n  bad: {plugin: nosuch}"))
        #expect(status != 0)
        #expect(output.contains("config.yaml:4:"))
        #expect(output.contains("backends.bad.plugin"))
        #expect(output.contains("known plugins: kokoro-http, whisper-http, wyoming-tts, wyoming-stt, piper, tmux, pty"))
    }

    @Test("clawmux plugins lists every plugin of the table with its kind and summary")
    func plugins() async throws {
        let result = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "plugins"]) }
        #expect(result?.status == 0)
        let lines = (result?.output ?? "").split(separator: "\n").map(String.init)
        for (name, kind) in [("kokoro-http", "tts"), ("piper", "tts"), ("wyoming-tts", "tts"), ("whisper-http", "stt"),
                             ("wyoming-stt", "stt"), ("tmux", "spawner"), ("pty", "spawner")] {
            #expect(lines.contains { $0.hasPrefix(name + " ") && $0.contains(" \(kind) ") }, "\(name) (\(kind)) in:\n\(result?.output ?? "")")
        }
    }

    @Test("a launched engine that is not running is fine, unless its executable is missing")
    func launchedEngines() async throws {
        let engines = try await FakeSpeechServer.shared()
        let good = Self.config(tts: engines.url).replacingOccurrences(of: "stt: {backend: stt}", with: "stt: {backend: spare}")
            + "\n" + "health: {interval: 1s}"
        let yaml = good.replacingOccurrences(of: "voices:", with: """
              spare: {plugin: whisper-http, url: "http://127.0.0.1:9", launch: {argv: [python3, -m, http.server], port: 9}}
            voices:
            """)
        let (status, output) = try await check(yaml)
        #expect(status == 0, "\(output)")
        #expect(output.contains("--   spare (whisper-http, stt)"))
        #expect(output.contains("(the hub starts this engine itself)"))

        let (badStatus, badOutput) = try await check(yaml.replacingOccurrences(of: "argv: [python3,", with: "argv: [/nonexistent/server,"))
        #expect(badStatus == 1)
        #expect(badOutput.contains("FAIL spare"), "\(badOutput)")
        #expect(badOutput.contains("/nonexistent/server is not an executable file"))
        #expect(badOutput.contains("FAIL stt: no engine of its chain works"))
    }
}
