import Foundation
import Logging
import PluginAPI
import PluginRuntime

/// Starts each agent on a plain pseudo-terminal held by a `clawmux pty-host` process, which
/// logs its output to `terminal.log` in the session dir and keeps it alive across hub restarts.
struct PTYSpawner: Spawner {
    let columns: UInt16
    let rows: UInt16
    /// The `clawmux` binary that runs `pty-host` (this very executable).
    let hostExecutable: String
    let logger: Logger

    static let descriptor = PluginDescriptor(
        name: "pty", kind: .spawner, summary: "each agent on a pseudo-terminal (survives hub restarts)"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["columns", "rows"])
        return .spawner(PTYSpawner(
            columns: UInt16(try options.optional("columns")?.intValue(in: 20...1000) ?? 200),
            rows: UInt16(try options.optional("rows")?.intValue(in: 5...500) ?? 50),
            hostExecutable: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0],
            logger: context.logger))
    }

    /// The host's socket, in the session dir (mode 0700: only this user gets in).
    static func socketPath(in directory: String) -> String {
        directory + "/.terminal.sock"
    }

    func spawn(_ spec: SpawnSpec) async throws -> any SpawnedAgent {
        if let host = spec.host { throw SpawnError.unavailable("the pty spawner starts agents on this machine only, not on \(host.hostName) (use tmux)") }
        guard let command = spec.argv.first else { throw SpawnError.commandNotFound("(empty agent command)") }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(spec.environment) { _, new in new }
        environment["TERM"] = environment["TERM"].flatMap { $0.isEmpty || $0 == "dumb" ? nil : $0 } ?? "xterm-256color"
        guard let executable = ExecutableLookup.resolve(
            command, searchPath: environment["PATH"], workingDirectory: spec.workingDirectory)
        else { throw SpawnError.commandNotFound(command) }

        let socketPath = Self.socketPath(in: spec.sessionDirectory)
        let listener: Int32
        do { listener = try TerminalSocket.listen(at: socketPath) } catch { throw SpawnError.failed("\(error)") }
        var argv = [hostExecutable, "pty-host", "--executable", executable, "--directory", spec.workingDirectory,
                    "--columns", "\(columns)", "--rows", "\(rows)"]
        if let log = spec.logFile { argv += ["--log", log] }
        let host: ChildProcess
        do {
            host = try ChildProcess(argv: argv + ["--"] + spec.argv, environment: environment, stdin: .descriptor(listener))
        } catch {
            close(listener)
            throw SpawnError.failed("cannot start the terminal host: \(error)")
        }
        // The host has the listening socket as its stdin; with the hub's copy closed, a host
        // that dies before accepting makes the connect below fail at once.
        close(listener)
        let agent: PTYAgent
        do {
            agent = try await connect(socketPath: socketPath, host: host)
        } catch {
            // No agent nobody watches: the host goes, and with its terminal the agent.
            _ = await host.terminate(grace: .seconds(1))
            throw error
        }
        logger.info("started agent on a pty", metadata: ["session": "\(spec.name)", "pid": "\(agent.pid)", "host": "\(host.pid)"])
        return agent
    }

    func adopt(name: String, sessionDirectory: String) async -> (any SpawnedAgent)? {
        let socketPath = Self.socketPath(in: sessionDirectory)
        guard FileManager.default.fileExists(atPath: socketPath),
              let agent = try? await connect(socketPath: socketPath, host: nil) else { return nil }
        if await agent.isAlive() {
            logger.info("adopted pty agent", metadata: ["session": "\(name)", "pid": "\(agent.pid)"])
        } else {
            logger.info("the pty agent of an earlier run has ended", metadata: ["session": "\(name)", "pid": "\(agent.pid)"])
        }
        return agent
    }

    /// Connecting blocks briefly (the host answers at once): off the shared threads.
    private func connect(socketPath: String, host: ChildProcess?) async throws -> PTYAgent {
        let result = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { try PTYAgent.connect(socketPath: socketPath, host: host, columns: columns, rows: rows) })
            }
        }
        return try result.get()
    }

    func probe() async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: hostExecutable) else {
            throw SpawnError.unavailable("cannot run the terminal host \(hostExecutable)")
        }
        return "forkpty available"
    }
}
