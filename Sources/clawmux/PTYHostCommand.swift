import ArgumentParser
import Foundation
import Plugins

/// The process the pty spawner starts for each agent (not for people): it holds the agent's
/// terminal so the agent outlives a hub restart. Its standard input is the listening socket.
struct PTYHostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pty-host",
        abstract: "Holds one agent's pseudo-terminal for the hub (started by the pty spawner).",
        shouldDisplay: false)

    @Option(help: "The agent's executable (resolved).")
    var executable: String
    @Option(help: "The agent's working directory.")
    var directory: String
    @Option(help: "Append the terminal's output here.")
    var log: String?
    @Option var columns: UInt16 = 200
    @Option var rows: UInt16 = 50
    @Argument(parsing: .postTerminator, help: "The agent's argv.")
    var argv: [String] = []

    func run() throws {
        guard !argv.isEmpty else { throw ValidationError("the agent's argv follows --") }
        let status = PTYHost.run(.init(
            executable: executable, argv: argv, workingDirectory: directory, logFile: log, columns: columns, rows: rows))
        throw ExitCode(status)
    }
}
