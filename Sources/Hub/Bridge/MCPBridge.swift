import Foundation
import Logging
import MCP

/// `clawmux mcp`: the stdio MCP server an agent starts from its `.mcp.json`. It forwards
/// `converse` to the hub over the session's WebSocket and returns the user's answer.
/// stdout carries the protocol; logs go to stderr only.
public enum MCPBridge {
    public static func run(environment: BridgeEnvironment, logger: Logger) async throws {
        let connection = HubConnection(environment: environment, logger: logger)
        let connectionTask = Task { await connection.run() }
        defer { connectionTask.cancel() }

        let server = Server(
            name: "voice-hub", version: "1.0.0",
            instructions: "Voice mode through the ClawMux hub: use the converse tool in a loop to speak with the user.",
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: BridgeTools.all)
        }
        await server.withMethodHandler(CallTool.self) { params in
            try await call(params, connection: connection, server: server, progressInterval: environment.progressInterval, logger: logger)
        }
        try await server.start(transport: LineTransport(logger: logger))
        await server.waitUntilCompleted()
        logger.info("MCP client closed stdin; exiting")
    }

    static func call(_ params: CallTool.Parameters, connection: HubConnection, server: Server, progressInterval: Duration, logger: Logger) async throws -> CallTool.Result {
        switch params.name {
        case BridgeTools.converse.name:
            guard let message = params.arguments?["message"]?.stringValue else {
                return .init(content: [content("Error: converse needs a 'message' string.")], isError: true)
            }
            let wait = params.arguments?["wait_for_response"]?.boolValue ?? true
            let progress = params._meta?.progressToken.map { token in
                Task { await reportProgress(token: token, every: progressInterval, server: server) }
            }
            defer { progress?.cancel() }
            do {
                let text = try await connection.converse(message: message, waitForResponse: wait)
                return .init(content: [content(text)], isError: text.hasPrefix("Error:") ? true : nil)
            } catch {
                logger.error("converse failed", metadata: ["error": "\(error)"])
                return .init(content: [content("\(error)")], isError: true)
            }
        case BridgeTools.status.name:
            let hub = await connection.isConnected
            let browser = hub ? ((try? await connection.browserConnected()) ?? false) : false
            let text = hub
                ? (browser ? "Connected: the hub is reachable and a browser is listening." : "The hub is reachable but no browser is connected.")
                : "Not connected: the ClawMux hub is unreachable."
            return .init(content: [content(text)], structuredContent: .object([
                "hub_connected": .bool(hub), "connected": .bool(browser),
            ]))
        default:
            return .init(content: [content("Error: unknown tool '\(params.name)'.")], isError: true)
        }
    }

    private static func content(_ value: String) -> Tool.Content {
        .text(text: value, annotations: nil, _meta: nil)
    }

    /// Tells a client that asked for progress that the converse is still waiting (every 15 s by default).
    private static func reportProgress(token: ProgressToken, every progressInterval: Duration, server: Server) async {
        var beat = 0.0
        while true {
            do { try await Task.sleep(for: progressInterval) } catch { return }
            beat += 1
            try? await server.notify(ProgressNotification.message(.init(
                progressToken: token, progress: beat, message: "Waiting for the user to answer")))
        }
    }
}
