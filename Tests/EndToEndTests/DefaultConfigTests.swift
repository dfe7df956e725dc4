#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// The repository's own config.yaml on a machine with none of the optional engines (no Kokoro
/// on :8880, no Whisper on :2022): voices fall back to the local Piper, and the hub launches the
/// local faster-whisper-server itself. A newcomer hears speech and gets transcripts.
@Suite("Default config", .enabled(if: RealEngines.available, "needs the engines scripts/test.sh sets up"))
struct DefaultConfigTests {
    static let repoConfig = TestPaths.packageRoot.appendingPathComponent("config.yaml").path

    func launched(_ hub: HubProcess, _ name: String) async throws -> JSONValue? {
        let backends = try await hub.rest.get("/api/backends").json?.arrayValue ?? []
        return backends.first { $0["name"]?.stringValue == name }
    }

    @Test("Piper speaks, the launched Whisper transcribes, and it is stopped with the hub")
    func newcomer() async throws {
        let state = try TestPaths.temporaryDirectory("default-state")
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = [
            "KOKORO_URL": "http://127.0.0.1:9", "WHISPER_URL": "http://127.0.0.1:9",
            "CLAWMUX_LOCAL_WHISPER_PORT": "\(try FreePort.pick())",
            "CLAWMUX_SPAWNER": "pty", "CLAWMUX_WORK_ROOT": state.appendingPathComponent("sessions").path,
            "CLAWMUX_STATE_DIR": state.path,
        ]
        // The user's answer, made with `clawmux say` from the same config (Kokoro is down: Piper speaks).
        let answer = "Please open the file called notes and read it to me."
        let wav = state.appendingPathComponent("answer.wav").path
        let argv = ["env"] + environment.map { "\($0.key)=\($0.value)" }
            + [TestPaths.clawmux, "say", "--config", Self.repoConfig, "--voice", "am_adam", answer, "-o", wav]
        let said = await Blocking.run { try? ProcessInspection.run(argv) }
        #expect(said?.status == 0, "\(said?.output ?? "")")
        let recording = try Data(contentsOf: URL(fileURLWithPath: wav))
        #expect(recording.starts(with: Array("RIFF".utf8)))

        let hub = try await HubProcess.start(name: "default", configPath: Self.repoConfig, arguments: ["--demo-agent", "--port", "0"], environment: environment)
        defer { hub.stop() }
        let browser: BrowserClient
        do {
            browser = try await BrowserClient.connect(to: hub)
        } catch {
            throw TestFailure("\(error)\n\(hub.log)")
        }
        let created = try await hub.rest.post("/api/sessions")
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)\n\(hub.log)")
        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: recording, format: "audio/wav", timeout: .seconds(180))
        #expect(greeting.audioFormat == "audio/wav", "Piper's PCM, as one WAV for a browser that does not stream")
        #expect(greeting.audio.count > 20_000)
        let echo = try await conversation.turn(after: greeting.end, answer: nil, timeout: .seconds(120))
        #expect(Fuzzy.overlap(expected: answer, heard: echo.said) >= 0.7, "agent heard: \(echo.said)")

        let whisper = try #require(try await launched(hub, "local-whisper"))
        #expect(whisper["status"]?.stringValue == "ok")
        let pid = try #require(whisper["launched"]?["pid"]?.doubleValue.map { Int32($0) })
        #expect(try await launched(hub, "kokoro")?["status"]?.stringValue == "down")
        #expect(try await launched(hub, "piper")?["status"]?.stringValue == "ok")
        let log = whisper["launched"]?["log"]?.stringValue ?? ""
        #expect(log.hasPrefix(state.path), "the engine's log is in the state dir: \(log)")

        _ = await hub.stopAndWait()
        #expect(!ProcessInspection.isRunning(pid), "the launched Whisper stopped with the hub")
    }
}
