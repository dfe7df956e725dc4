import Foundation
import Logging
import PluginAPI

/// Starts each agent on a plain pseudo-terminal owned by the hub; its output is logged to
/// `terminal.log` in the session dir.
struct PTYSpawner: Spawner {
    let columns: UInt16
    let rows: UInt16
    let logger: Logger

    static let descriptor = PluginDescriptor(
        name: "pty", kind: .spawner, summary: "each agent on a pseudo-terminal owned by the hub"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["columns", "rows"])
        return .spawner(PTYSpawner(
            columns: UInt16(try options.optional("columns")?.intValue(in: 20...1000) ?? 200),
            rows: UInt16(try options.optional("rows")?.intValue(in: 5...500) ?? 50),
            logger: context.logger))
    }

    func spawn(_ spec: SpawnSpec) async throws -> any SpawnedAgent {
        guard let command = spec.argv.first else { throw SpawnError.commandNotFound("(empty agent command)") }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(spec.environment) { _, new in new }
        environment["TERM"] = environment["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        guard let executable = ExecutableLookup.resolve(
            command, searchPath: environment["PATH"], workingDirectory: spec.workingDirectory)
        else { throw SpawnError.commandNotFound(command) }
        let started = try ChildProcessLaunch.start(
            executable: executable, argv: spec.argv, environment: environment,
            workingDirectory: spec.workingDirectory, columns: columns, rows: rows)
        logger.info("started agent on a pty", metadata: ["session": "\(spec.name)", "pid": "\(started.pid)"])
        return PTYAgent(pid: started.pid, masterFD: started.masterFD, logFile: spec.logFile)
    }

    func probe() async throws -> String {
        "forkpty available"
    }
}
