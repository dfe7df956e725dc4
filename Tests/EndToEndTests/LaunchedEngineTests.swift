#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Engines the hub starts itself (`launch:`): started with the hub, restarted with backoff when
/// they die, stopped when the hub exits, their output in a log file.
@Suite("Launched engines")
struct LaunchedEngineTests {
    func launched(_ hub: HubProcess) async throws -> JSONValue? {
        let backends = try await hub.rest.get("/api/backends").json?.arrayValue ?? []
        return backends.first { $0["name"]?.stringValue == "side" }?["launched"]
    }

    /// Polls until `condition` holds for the launched engine's report (up to 20 s).
    func wait(_ hub: HubProcess, _ what: String, until condition: (JSONValue) -> Bool) async throws -> JSONValue {
        for _ in 0..<200 {
            if let report = try await launched(hub), condition(report) { return report }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for: \(what); last report: \(String(describing: try await launched(hub)))\n\(hub.log)")
    }

    @Test("started with the hub, restarted after being killed, stopped when the hub exits; output in its log")
    func lifecycle() async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        let logFile = try TestPaths.temporaryDirectory("launch-log").appendingPathComponent("side.log").path
        // A stand-in engine: Python's HTTP server, healthy once its port answers.
        let hub = try await HubProcess.start(name: "launch", speechLines: [
            "  tts: {plugin: kokoro-http, url: \"\(engines.url)\"}",
            "  stt: {plugin: whisper-http, url: \"\(engines.url)\"}",
            "  side:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:\(port)",
            "    launch:",
            "      argv: [python3, -m, http.server, \"\(port)\", --bind, 127.0.0.1]",
            "      health: http://127.0.0.1:\(port)/",
            "      log: \(logFile)",
            "voices:",
            "  sky: {backend: tts}",
            "stt: {backend: stt}",
            "health: {interval: 1s, retry_interval: 300ms}",
        ])
        let running = try await wait(hub, "the engine running") { $0["state"]?.stringValue == "running" }
        let firstPID = try #require(running["pid"]?.doubleValue.map { Int32($0) })
        #expect(ProcessInspection.isRunning(firstPID))
        #expect(running["log"]?.stringValue == logFile)

        kill(firstPID, SIGKILL)
        let restarted = try await wait(hub, "a new process") {
            $0["state"]?.stringValue == "running" && $0["pid"]?.doubleValue.map { Int32($0) } != firstPID
        }
        #expect(restarted["restarts"]?.doubleValue == 1)
        let secondPID = try #require(restarted["pid"]?.doubleValue.map { Int32($0) })
        let log = try String(contentsOfFile: logFile, encoding: .utf8)
        #expect(log.components(separatedBy: "clawmux starts: python3 -m http.server").count == 3, "two starts logged:\n\(log)")
        #expect(log.contains("GET / HTTP"), "the engine's own output is in the log")

        _ = await hub.stopAndWait()
        #expect(!ProcessInspection.isRunning(secondPID), "stopped with the hub")
    }

    @Test("an engine left running by a hub that was killed is stopped by the next hub, which starts its own")
    func leftover() async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        let first = try await HubProcess.start(name: "launch-leftover", speechLines: [
            "  tts: {plugin: kokoro-http, url: \"\(engines.url)\"}",
            "  stt: {plugin: whisper-http, url: \"\(engines.url)\"}",
            "  side:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:\(port)",
            "    launch: {argv: [python3, -m, http.server, \"\(port)\", --bind, 127.0.0.1], port: \(port)}",
            "voices:",
            "  sky: {backend: tts}",
            "stt: {backend: stt}",
            "health: {interval: 1s, retry_interval: 300ms}",
        ])
        defer { first.stop() }
        let old = try #require(try await wait(first, "the engine running") { $0["state"]?.stringValue == "running" }["pid"]?.doubleValue.map { Int32($0) })
        await first.kill()
        #expect(ProcessInspection.isRunning(old), "a killed hub cannot stop its engine")

        let second = try await first.successor(name: "launch-leftover2")
        let fresh = try await wait(second, "a new engine running") {
            $0["state"]?.stringValue == "running" && $0["pid"]?.doubleValue.map { Int32($0) } != old
        }
        #expect(fresh["pid"] != nil)
        #expect(!ProcessInspection.isRunning(old), "the leftover was stopped")
        _ = await second.stopAndWait()
    }

    @Test("start: first_use waits until a voice needs it; the converse then waits for it to come up")
    func firstUse() async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        // The fake engines stand behind a small forwarding engine that the hub launches on first use.
        let hub = try await HubProcess.start(name: "firstuse", speechLines: [
            "  stt: {plugin: whisper-http, url: \"\(engines.url)\"}",
            "  side:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:\(port)",
            "    launch:",
            "      argv: [python3, \"\(TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/forward.py").path)\", \"\(port)\", \"\(engines.url)\"]",
            "      port: \(port)",
            "      start: first_use",
            "voices:",
            "  sky: {backend: side}",
            "stt: {backend: stt}",
        ])
        defer { hub.stop() }
        #expect(try await launched(hub)?["state"]?.stringValue == "idle", "not started before it is needed")
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: 0, answer: nil)
        #expect(String(decoding: turn.audio, as: UTF8.self).hasPrefix("AUDIO[sky]:Hello!"))
        #expect(try await launched(hub)?["state"]?.stringValue == "running")
    }

    @Test("clawmux say while the hub runs uses the hub's engine: never kills or forgets it, so the next hub still ends it as a leftover")
    func sayWhileTheHubRuns() async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        let hub = try await HubProcess.start(name: "launch-shared", speechLines: [
            "  stt: {plugin: whisper-http, url: \"\(engines.url)\"}",
            "  side:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:\(port)",
            "    launch:",
            "      argv: [python3, \"\(TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/forward.py").path)\", \"\(port)\", \"\(engines.url)\"]",
            "      port: \(port)",
            "voices:",
            "  sky: {backend: side}",
            "stt: {backend: stt}",
        ])
        defer { hub.stop() }
        let engine = try #require(try await wait(hub, "the engine running") { $0["state"]?.stringValue == "running" }["pid"]?.doubleValue.map { Int32($0) })
        // No extension: the engine's bytes as they are (the fake engine's audio is text).
        let output = hub.directory.appendingPathComponent("said").path
        let (config, state) = (hub.directory.appendingPathComponent("config.yaml").path, hub.directory.appendingPathComponent("state").path)
        let said = await Blocking.run {
            try? ProcessInspection.run([
                "CLAWMUX_STATE_DIR=\(state)", TestPaths.clawmux, "say", "--config", config, "--voice", "sky", "-o", output, "Hello there"])
        }
        #expect(said?.status == 0, "\(said?.output ?? "")")
        #expect(String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self).contains("Hello there"))
        let report = try #require(try await launched(hub))
        #expect(report["pid"]?.doubleValue.map { Int32($0) } == engine && report["restarts"]?.doubleValue == 0,
                "the hub's engine was left alone: \(report)")

        // The hub dies: its successor still finds the engine's pid file and ends the leftover.
        await hub.kill()
        let second = try await hub.successor(name: "launch-shared2")
        _ = try await wait(second, "a new engine running") {
            $0["state"]?.stringValue == "running" && $0["pid"]?.doubleValue.map { Int32($0) } != engine
        }
        #expect(!ProcessInspection.isRunning(engine), "the leftover was stopped")
        _ = await second.stopAndWait()
    }
}
