import Foundation

/// The MCP server an agent starts to reach the hub (`voice-hub`): the bridge's command, its
/// arguments and environment. Written into the session's `.mcp.json` and handed to agents that
/// take it another way (Codex's `-c` overrides).
struct BridgeServer: Sendable, Equatable {
    var command: String
    var arguments: [String]
    var environment: [String: String]

    /// For the `clawmux` binary at `clawmux`: `clawmux-mcp` when it was built next to it (the
    /// same bridge in a binary that loads a fraction of the libraries: one runs per session),
    /// else `clawmux mcp`.
    init(clawmux: String, environment: [String: String]) {
        let light = URL(fileURLWithPath: clawmux).deletingLastPathComponent().appendingPathComponent("clawmux-mcp").path
        let found = FileManager.default.isExecutableFile(atPath: light)
        self.init(command: found ? light : clawmux, arguments: found ? [] : ["mcp"], environment: environment)
    }

    init(command: String, arguments: [String], environment: [String: String]) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
    }
}
