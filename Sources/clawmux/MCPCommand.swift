import ArgumentParser
import Foundation
import VoiceBridge

struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "The stdio MCP server an agent starts (from its .mcp.json) to reach the hub.",
        subcommands: [HookCommand.self])

    @Option(name: .long, help: "trace ... critical (default: CLAWMUX_LOG_LEVEL or info). Logs go to stderr.")
    var logLevel: String?

    func run() throws {
        var common = CommonOptions()
        common.logLevel = logLevel
        let logger = common.bootstrapLogging(label: "clawmux.mcp")
        let environment: BridgeEnvironment
        do {
            environment = try BridgeEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            throw ExitMessage("clawmux mcp: \(error)")
        }
        VoiceBridge.run(environment: environment, logger: logger)
    }
}

/// `clawmux mcp hook <.mcp.json>`: an agent's hook reporting to the hub (quiet, always exits 0).
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook", abstract: "Forward a hook payload (stdin) to the session's hub; quiet, always exits 0.")

    @Argument(help: "The session's .mcp.json (it names the hub and holds the session's secret).")
    var mcpConfig: String

    @Argument(help: "The payload, when not on stdin (Codex's notify passes it as the last argument).")
    var payload: String?

    func run() {
        HookSender.run(mcpConfigPath: mcpConfig, payload: payload)
    }
}
