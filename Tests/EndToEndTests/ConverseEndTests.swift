import Foundation
import Hub
import MCP
import Testing
import WireJSON
import ClawMuxTesting

/// A converse never outlives its session: DELETE and shutdown answer a converse that waits for
/// the user, at once, and leave nothing behind.
@Suite("Converse end")
struct ConverseEndTests {
    /// A session whose agent is a plain `sleep` (no MCP of its own), with the test's own
    /// `clawmux mcp` as its bridge, and a converse waiting for a browser that never comes.
    static func bridgedSession(_ name: String, topLevelLines: [String] = []) async throws -> (hub: HubProcess, id: String, bridge: MCPClientProcess) {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: name, ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "600"], topLevelLines: topLevelLines)
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        let mcpConfig = try Data(contentsOf: URL(fileURLWithPath: "\(hub.workRoot)/\(id)/.mcp.json"))
        let environment = try #require(JSONValue.decode(String(decoding: mcpConfig, as: UTF8.self))?["mcpServers"]?["voice-hub"]?["env"])
        let bridge = try await MCPClientProcess.start(environment: [
            "VOICE_HUB_SESSION_ID": id, "VOICE_CHAT_HUB_PORT": "\(hub.port)",
            "VOICE_HUB_SESSION_TOKEN": environment["VOICE_HUB_SESSION_TOKEN"]?.stringValue ?? "",
        ])
        return (hub, id, bridge)
    }

    func waitingConverse(_ name: String) async throws -> (hub: HubProcess, id: String, bridge: MCPClientProcess, answer: Task<String, any Error>) {
        let (hub, id, bridge) = try await Self.bridgedSession(name)
        let answer = Task { try await bridge.callText("converse", ["message": .string("Anyone there?")]) }
        // Spoken, and now waiting for a browser to play it.
        for _ in 0..<100 {
            if try await hub.rest.get("/api/sessions").json?[0]?["status"]?.stringValue == "active" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return (hub, id, bridge, answer)
    }

    @Test("DELETE answers the waiting converse at once, and the session is gone")
    func delete() async throws {
        let (hub, id, bridge, answer) = try await waitingConverse("end-delete")
        defer { hub.stop(); bridge.stop() }
        let started = ContinuousClock.now
        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        let text = try await answer.value
        #expect(text.hasPrefix("Error:") && text.contains("terminated"), "\(text)")
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try await hub.rest.get("/api/sessions").json?.arrayValue?.isEmpty == true)
    }

    @Test("shutdown answers the waiting converse and the hub exits promptly")
    func shutdown() async throws {
        let (hub, _, bridge, answer) = try await waitingConverse("end-shutdown")
        defer { bridge.stop() }
        let took = await hub.stopAndWait()
        #expect(took < .seconds(5))
        let text = try await answer.value
        #expect(text.hasPrefix("Error:") && text.contains("shutting down"), "\(text)")
    }

    @Test("a message over limits.max_speech_characters gets a clear error; the session stays usable")
    func tooLong() async throws {
        let (hub, _, bridge) = try await Self.bridgedSession("end-too-long", topLevelLines: ["limits: {max_speech_characters: 40}"])
        defer { hub.stop(); bridge.stop() }
        let refused = try await bridge.callText("converse", ["message": .string(String(repeating: "a", count: 100))])
        #expect(refused == "Error: the message is 100 characters long; the limit is 40.")
        let delivered = try await bridge.callText("converse", ["message": .string("Short enough."), "wait_for_response": .bool(false)])
        #expect(delivered == "Message delivered.")
    }
}
