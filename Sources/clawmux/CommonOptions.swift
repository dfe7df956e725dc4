import ArgumentParser
import Foundation
import Hub
import Logging
import PluginAPI

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The config file.")
    var config: String = "config.yaml"

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (default: CLAWMUX_LOG_LEVEL or info).")
    var logLevel: String?

    /// Logs go to stderr for every command: for `mcp`, stdout is the protocol.
    func bootstrapLogging(label: String) -> Logger {
        InheritedSignals.unblockAll()
        let level = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["CLAWMUX_LOG_LEVEL"] ?? "info") ?? .info
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: name)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }

    func loadConfig() throws -> HubConfig {
        do {
            return try HubConfig.load(path: config)
        } catch {
            throw ExitMessage("\(error)")
        }
    }
}

/// An error shown as one plain line, with exit code 2 (bad usage or config).
struct ExitMessage: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
