import ClawMuxTesting
import Foundation
import WireJSON

/// A session's own files as the hub wrote them: what its agent and the agent's hooks read.
extension HubProcess {
    func mcpConfigPath(_ id: String) -> String { "\(workRoot)/\(id)/.mcp.json" }

    /// The session's secret (its bridge and its hooks present it; the user's token is another).
    func sessionSecret(_ id: String) throws -> String {
        let config = JSONValue.decode(bytes: try Data(contentsOf: URL(fileURLWithPath: mcpConfigPath(id))))
        guard let secret = config?["mcpServers"]?["voice-hub"]?["env"]?["VOICE_HUB_SESSION_TOKEN"]?.stringValue else {
            throw TestFailure("no session secret in \(mcpConfigPath(id))")
        }
        return secret
    }
}

/// A session whose (stand-in) agent finished its MCP handshake: a real bridge process that
/// lists the tools, so the hub counts the session ready; and its secret.
struct ReadySession {
    let id: String
    let mcpConfig: String
    let secret: String
    let bridge: MCPClientProcess

    static func start(in hub: HubProcess) async throws -> ReadySession {
        guard let id = try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue else {
            throw TestFailure("no session was created")
        }
        let secret = try hub.sessionSecret(id)
        let bridge = try await MCPClientProcess.start(environment: [
            "VOICE_HUB_SESSION_ID": id, "VOICE_CHAT_HUB_PORT": "\(hub.port)", "VOICE_HUB_SESSION_TOKEN": secret,
        ])
        _ = try await bridge.client.listTools()
        return ReadySession(id: id, mcpConfig: hub.mcpConfigPath(id), secret: secret, bridge: bridge)
    }
}
