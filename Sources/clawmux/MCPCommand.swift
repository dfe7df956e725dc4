import ArgumentParser
import Foundation
import VoiceBridge

struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "The stdio MCP server an agent starts (from its .mcp.json) to reach the hub.")

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
