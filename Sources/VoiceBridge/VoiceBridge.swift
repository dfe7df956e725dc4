import Dispatch
import Logging

/// `clawmux mcp` / `clawmux-mcp`: the stdio MCP server an agent starts from its `.mcp.json`.
/// It forwards `converse` to the hub over the session's WebSocket and returns the user's
/// answer. Plain threads and blocking I/O, no Foundation: it lives as long as its agent, one
/// per session, so it should cost little. stdout carries the protocol; logs go to stderr.
public enum VoiceBridge {
    /// Protocol versions this server speaks; it answers a client's own when it knows it.
    static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    /// Serves until the agent closes stdin.
    public static func run(environment: BridgeEnvironment, logger: Logger) {
        let link = HubLink(environment: environment, logger: logger)
        link.start()
        let channel = StdioChannel()
        let server = MCPRequests(link: link, channel: channel, progressInterval: environment.progressInterval, logger: logger)
        while let line = channel.readLine() {
            guard line.contains(where: { $0 > 32 }) else { continue }
            server.handle(line)
        }
        logger.info("MCP client closed stdin; exiting")
        link.stop()
    }
}
