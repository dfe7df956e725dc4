#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging
import VoiceBridge

// The MCP bridge on its own: what each session's `.mcp.json` starts (`clawmux mcp` is the same
// code inside the full binary). Logs go to stderr: stdout is the protocol.
let environment = ProcessInfo.processInfo.environment
let level = Logger.Level(rawValue: (environment["CLAWMUX_LOG_LEVEL"] ?? "info").lowercased()) ?? .info
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = level
    return handler
}
let logger = Logger(label: "clawmux.mcp")
// `clawmux-mcp hook <.mcp.json>`: an agent's hook reporting to the hub (see HookSender).
let arguments = CommandLine.arguments
// `clawmux-mcp --version`: the hub runs it once on a host before agents there start it.
if arguments.count == 2, arguments[1] == "--version" {
    print("clawmux-mcp \(BridgeVersion.current)")
    exit(0)
}
if (3...4).contains(arguments.count), arguments[1] == "hook" {
    HookSender.run(mcpConfigPath: arguments[2], payload: arguments.count == 4 ? arguments[3] : nil)
    exit(0)
}
do {
    VoiceBridge.run(environment: try BridgeEnvironment(environment), logger: logger)
} catch {
    logger.critical("clawmux-mcp: \(error)")
    exit(2)
}
