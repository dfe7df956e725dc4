import Foundation
import Hub
import HummingbirdWSClient
import Logging
import Testing
import WireJSON
import ClawMuxTesting

@Suite("Session lifecycle over real processes")
struct SessionLifecycleTests {
    @Test("DELETE ends the agent and everything it started, and removes the session dir", arguments: ["tmux", "pty"])
    func deleteLeavesNothing(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "delete-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner)
        defer { hub.stop() }
        let rest = hub.rest
        let created = try #require(try await rest.post("/api/sessions").json)
        let id = try #require(created["session_id"]?.stringValue)
        let workDir = try #require(created["work_dir"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: workDir + "/.mcp.json"))
        let root = try ProcessInspection.agentPID(
            terminal: created["terminal"]?.stringValue ?? "", tmuxSocket: hub.tmuxSocket, sessionID: id)
        // For pty, the host that holds the agent's terminal goes too.
        let tree = ProcessInspection.tree(of: root) + (spawner == "pty" ? [ProcessInspection.parent(of: root) ?? 0] : [])
        #expect(tree.count >= 2, "the agent and its MCP bridge are running")

        let deleted = try await rest.delete("/api/sessions/\(id)")
        #expect(deleted.status == 200)
        #expect(deleted.json?["status"]?.stringValue == "terminated")
        // The host ends right after it has reported the agent's end.
        let deadline = ContinuousClock.now + .seconds(5)
        while !tree.filter(ProcessInspection.isRunning).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(tree.filter(ProcessInspection.isRunning).isEmpty, "still running: \(tree.filter(ProcessInspection.isRunning))")
        #expect(!FileManager.default.fileExists(atPath: workDir))
        if spawner == "tmux" {
            #expect(try ProcessInspection.run(["tmux", "-L", hub.tmuxSocket, "has-session", "-t", "=\(id)"]).status != 0)
        }
        #expect(try await rest.get("/api/sessions").json == .array([]))
        #expect(try await rest.delete("/api/sessions/\(id)").status == 404)
    }

    @Test("the startup input is typed into the agent's terminal once its bridge connects")
    func startupInput() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "startup", ttsURL: engines.url, sttURL: engines.url, spawner: "pty",
            extraSessionLines: ["startup_input: /voice-hub-test"])
        defer { hub.stop() }
        let created = try #require(try await hub.rest.post("/api/sessions").json)
        let log = try #require(created["work_dir"]?.stringValue) + "/terminal.log"
        // The terminal echoes what is typed; the demo agent itself prints its greeting first.
        let deadline = ContinuousClock.now + .seconds(10)
        var text = ""
        while ContinuousClock.now < deadline {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("/voice-hub-test") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(text.contains("/voice-hub-test"), "terminal log: \(text.suffix(300))")
        #expect(text.components(separatedBy: "/voice-hub-test").count == 2, "typed once")
    }

    @Test("the session dir holds .mcp.json in the original's shape, with the session's secret")
    func mcpConfigShape() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "mcpjson", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let created = try #require(try await hub.rest.post("/api/sessions").json)
        let id = try #require(created["session_id"]?.stringValue)
        let workDir = try #require(created["work_dir"]?.stringValue)
        let attributes = try FileManager.default.attributesOfItem(atPath: workDir)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let data = try Data(contentsOf: URL(fileURLWithPath: workDir + "/.mcp.json"))
        let json = try #require(JSONValue.decode(String(decoding: data, as: UTF8.self)))
        let server = try #require(json["mcpServers"]?["voice-hub"])
        // The light bridge binary built next to clawmux (else `clawmux mcp`).
        let light = URL(fileURLWithPath: TestPaths.clawmux).deletingLastPathComponent().appendingPathComponent("clawmux-mcp").path
        #expect(server["command"]?.stringValue == light)
        #expect(server["args"] == .array([]))
        #expect(server["env"]?["VOICE_HUB_SESSION_ID"]?.stringValue == id)
        #expect(server["env"]?["VOICE_CHAT_HUB_PORT"]?.stringValue == "\(hub.port)")
        #expect((server["env"]?["VOICE_HUB_SESSION_TOKEN"]?.stringValue?.count ?? 0) >= 32)
        #expect(id.range(of: #"^voice-\d+-[0-9a-f]{6}$"#, options: .regularExpression) != nil)
    }

    @Test("a bridge without the session's secret is refused")
    func bridgeNeedsSecret() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "auth", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        for suffix in ["", "?token=wrong"] {
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(hub.port)/mcp/\(id)\(suffix)",
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
                ) { _, _, _ in }
            }
        }
        // The real bridge is still the connected one.
        let session = try await hub.rest.get("/api/sessions").json
        #expect(session?[0]?["mcp_connected"]?.boolValue == true)
    }

    @Test("configured terminal prompts are answered, and the agent gets going", arguments: ["tmux", "pty"])
    func promptAnswered(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let question = "Do you trust the files in this folder?"
        let hub = try await HubProcess.start(
            name: "prompt-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner,
            command: ["clawmux", "demo-agent", "--ask", question],
            extraSessionLines: ["prompts:", "  - {match: \"\(question)\", answer: \"\"}"])
        defer { hub.stop() }
        let created = try await hub.rest.post("/api/sessions")
        #expect(created.status == 200, "\(created.text)")
        #expect(hub.log.contains("answering terminal dialog"))
    }

    @Test("without an answer the prompt blocks the agent: 504 and the half-started session is cleaned up")
    func unansweredPromptTimesOut() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "noprompt", ttsURL: engines.url, sttURL: engines.url,
            command: ["clawmux", "demo-agent", "--ask", "Do you trust the files in this folder?"],
            extraSessionLines: ["ready_timeout: 2s"])
        defer { hub.stop() }
        let rest = hub.rest
        let created = try await rest.post("/api/sessions")
        #expect(created.status == 504)
        let error = created.json?["error"]?.stringValue ?? ""
        #expect(error.contains("was not ready within"), "\(error)")
        #expect(error.contains("Do you trust the files in this folder?"), "the error shows the agent's screen: \(error)")
        #expect(try await rest.get("/api/sessions").json == .array([]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: hub.workRoot).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test("SIGTERM ends every session and the hub exits within 5 seconds")
    func shutdown() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "shutdown", ttsURL: engines.url, sttURL: engines.url)
        let rest = hub.rest
        var trees: [Int32] = []
        for _ in 0..<2 {
            let created = try #require(try await rest.post("/api/sessions").json)
            let id = try #require(created["session_id"]?.stringValue)
            trees += ProcessInspection.tree(of: try ProcessInspection.agentPID(
                terminal: created["terminal"]?.stringValue ?? "", tmuxSocket: hub.tmuxSocket, sessionID: id))
        }
        let took = await hub.stopAndWait()
        #expect(took < .seconds(5))
        #expect(trees.filter(ProcessInspection.isRunning).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: hub.workRoot).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
