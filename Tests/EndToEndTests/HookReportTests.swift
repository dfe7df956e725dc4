import ClawMuxTesting
import MCP
import Foundation
import Testing
import WireJSON

/// `POST /hooks/{id}` over a real hub: only the session's own secret, bounded, and a payload the
/// hub cannot read changes nothing.
@Suite("Hook reports")
struct HookReportTests {
    @Test("a hook report changes the activity; wrong or foreign secrets, huge and malformed bodies are refused and change nothing")
    func reports() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "hooks", ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "600"])
        defer { hub.stop() }
        let first = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        let second = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        let secret = hub.sessionSecret
        #expect(!FileManager.default.fileExists(atPath: "\(hub.workRoot)/\(first)/claude-hooks.json"), "only agents whose command names {hook_settings}")
        let hooks = REST(baseURL: hub.baseURL, token: try secret(first))
        let bash = JSONValue.object([
            "hook_event_name": .string("PreToolUse"), "cwd": .string("/tmp"), "tool_name": .string("Bash"),
            "tool_input": .object(["command": .string("sleep 2; echo done")]),
        ])
        func activity(_ id: String) async throws -> JSONValue? {
            try await hub.rest.get("/api/sessions").json?.arrayValue?.first { $0["session_id"]?.stringValue == id }?["activity"]
        }

        #expect(try await REST(baseURL: hub.baseURL, token: hub.token).post("/hooks/\(first)", json: bash).status == 401, "the user's token is not the session's")
        #expect(try await REST(baseURL: hub.baseURL, token: try secret(second)).post("/hooks/\(first)", json: bash).status == 401)
        #expect(try await REST(baseURL: hub.baseURL).post("/hooks/\(first)", json: bash).status == 401)
        #expect(try await hooks.post("/hooks/voice-9-nothere", json: bash).status == 404)
        #expect(try await hooks.send(.POST, "/hooks/\(first)", rawBody: "{not json").status == 400)
        #expect(try await hooks.post("/hooks/\(first)", json: .object(["tool_name": .string("Bash")])).status == 400)
        let huge = try await hooks.send(.POST, "/hooks/\(first)", rawBody: "{\"pad\":\"" + String(repeating: "x", count: 300_000) + "\"}")
        #expect(huge.status == 413)
        #expect(try await activity(first)?["state"]?.stringValue == "starting", "nothing changed")

        // The agent's report counts once the session is past its start (a bridge connected).
        let bridge = try await MCPClientProcess.start(environment: [
            "VOICE_HUB_SESSION_ID": first, "VOICE_CHAT_HUB_PORT": "\(hub.port)", "VOICE_HUB_SESSION_TOKEN": try secret(first),
        ])
        defer { bridge.stop() }
        // An agent that lists the tools has finished its handshake: the session is ready.
        _ = try await bridge.client.listTools()
        for _ in 0..<200 where try await activity(first)?["state"]?.stringValue != "working" {
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try await hooks.post("/hooks/\(first)", json: bash).status == 200)
        let running = try #require(try await activity(first))
        #expect(running["state"]?.stringValue == "tool")
        #expect(running["tool"]?.stringValue == "Bash" && running["detail"]?.stringValue == "sleep 2; echo done")
        #expect(try await activity(second)?["state"]?.stringValue == "starting", "the other session is untouched")
    }

    @Test("the hook sender: a payload on stdin reaches the session; with no hub it gives up within seconds, quietly, exit 0",
          arguments: [["mcp", "hook"], ["hook"]])
    func sender(command: [String]) async throws {
        let executable = command == ["hook"] ? TestPaths.clawmux + "-mcp" : TestPaths.clawmux
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "hook-sender", ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "600"])
        defer { hub.stop() }
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        let mcpConfig = hub.mcpConfigPath(id)
        let secret = try hub.sessionSecret(id)
        let bridge = try await MCPClientProcess.start(environment: [
            "VOICE_HUB_SESSION_ID": id, "VOICE_CHAT_HUB_PORT": "\(hub.port)", "VOICE_HUB_SESSION_TOKEN": secret,
        ])
        defer { bridge.stop() }
        _ = try await bridge.client.listTools()
        let payload = #"{"hook_event_name":"PreToolUse","cwd":"/tmp","tool_name":"Grep","tool_input":{"pattern":"TODO"}}"#
        let sent = try await ProcessInspection.runWithInput([executable] + command + [mcpConfig], input: payload)
        #expect(sent.status == 0 && sent.output.isEmpty)
        var activity: JSONValue?
        for _ in 0..<100 {
            activity = try await hub.rest.get("/api/sessions").json?[0]?["activity"]
            if activity?["state"]?.stringValue == "tool" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(activity?["tool"]?.stringValue == "Grep" && activity?["detail"]?.stringValue == "TODO")

        _ = await hub.stopAndWait()
        let started = ContinuousClock.now
        let unreachable = try await ProcessInspection.runWithInput([executable] + command + [mcpConfig], input: payload)
        #expect(unreachable.status == 0 && unreachable.output.isEmpty, "nothing for the agent's screen")
        #expect(ContinuousClock.now - started < .seconds(4))
    }
}

