import Foundation
import Logging
import PluginAPI
import PluginRuntime

/// Starts each agent in its own detached tmux session named after the hub's session id,
/// so `tmux attach -t <id>` shows the agent's terminal.
struct TmuxSpawner: Spawner {
    /// The local client; nil when tmux is not installed here (hosts may still have it).
    let tmux: TmuxCommand?
    /// `socket:`, for the tmux server here and on every host.
    let socket: String?
    let columns: Int
    let rows: Int
    let logger: Logger

    static let descriptor = PluginDescriptor(
        name: "tmux", kind: .spawner, summary: "each agent in a detached tmux session"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["socket", "columns", "rows", "tmux"])
        let executable = try options.optional("tmux")?.stringValue() ?? "tmux"
        let socket = try options.optional("socket")?.stringValue()
        let resolved = ExecutableLookup.resolve(
            executable, searchPath: ProcessInfo.processInfo.environment["PATH"], workingDirectory: "/")
        return .spawner(TmuxSpawner(
            tmux: resolved.map { TmuxCommand(socketName: socket, executable: $0) }, socket: socket,
            columns: try options.optional("columns")?.intValue(in: 20...1000) ?? 200,
            rows: try options.optional("rows")?.intValue(in: 5...500) ?? 50,
            logger: context.logger))
    }

    var reachesHosts: Bool { true }

    /// tmux on a host, found there by its PATH, on the same server socket as here.
    static func tmux(on host: any HostShell, socket: String?) -> TmuxCommand {
        TmuxCommand(socketName: socket, executable: "tmux", host: host)
    }

    func spawn(_ spec: SpawnSpec) async throws -> any SpawnedAgent {
        guard let command = spec.argv.first else { throw SpawnError.commandNotFound("(empty agent command)") }
        let tmux: TmuxCommand
        let executable: String
        var sessionEnvironment = spec.environment
        if let host = spec.host {
            tmux = Self.tmux(on: host, socket: socket)
            let found = try await RemoteLookup.find(command, on: host)
            executable = found.executable
            // The agent gets the PATH of a login on the host (where `~/.local/bin` and the like
            // are), not that of the non-interactive command which started tmux.
            if sessionEnvironment["PATH"] == nil, let path = found.path { sessionEnvironment["PATH"] = path }
        } else {
            guard let local = self.tmux else { throw SpawnError.unavailable("tmux is not installed (apt-get install tmux)") }
            tmux = local
            var environment = ProcessInfo.processInfo.environment
            environment.merge(spec.environment) { _, new in new }
            guard let resolved = ExecutableLookup.resolve(
                command, searchPath: environment["PATH"], workingDirectory: spec.workingDirectory)
            else { throw SpawnError.commandNotFound(command) }
            executable = resolved
        }

        // `-P -F`: it prints the pane's pid (one command less: on a host each is an ssh round trip).
        var arguments = ["new-session", "-d", "-P", "-F", "#{pane_pid}", "-s", spec.name, "-x", "\(columns)", "-y", "\(rows)",
                         "-c", spec.workingDirectory]
        var argv = [executable] + spec.argv.dropFirst()
        if let host = spec.host {
            argv = try await RemoteEnvironment.prepare(sessionEnvironment, argv: argv, sessionDirectory: spec.sessionDirectory, on: host)
        } else {
            for (key, value) in sessionEnvironment.sorted(by: { $0.key < $1.key }) {
                arguments += ["-e", "\(key)=\(value)"]
            }
        }
        // tmux hands a single command argument to `sh -c`; with two or more it execs them directly.
        arguments += ["--"] + (argv.count == 1 ? ["/usr/bin/env", executable] : argv)
        // In the same command list, before tmux reads the agent's exit: an agent that exits at
        // once keeps its last screen (its reason) until the hub ends the session.
        arguments += [";", "set-option", "-w", "-t", "=\(spec.name):", "remain-on-exit", "on"]
        let panePID = try await startSession(arguments, tmux: tmux)
        guard let pid = Int32(panePID.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") else {
            throw SpawnError.failed("tmux did not report the pane's pid: \(panePID)")
        }
        logger.info("started tmux session", metadata: ["session": "\(spec.name)", "pid": "\(pid)", "host": "\(spec.host?.hostName ?? "-")"])
        return TmuxAgent(name: spec.name, panePID: pid, tmux: tmux)
    }

    /// `new-session`, retried briefly: when the last session of a tmux server has just been
    /// killed, that server is still exiting and a client connecting now fails ("server exited
    /// unexpectedly"); the next attempt starts a fresh server.
    private func startSession(_ arguments: [String], tmux: TmuxCommand) async throws -> String {
        var attempt = 0
        while true {
            do {
                return try await tmux.checked(arguments)
            } catch let error as SpawnError where attempt < 3 && !"\(error)".contains("duplicate session") {
                attempt += 1
                logger.debug("tmux new-session failed; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(50 * attempt))
            }
        }
    }

    func adopt(name: String, sessionDirectory: String) async -> (any SpawnedAgent)? {
        guard let tmux, (try? await tmux.run(["has-session", "-t", "=\(name)"]))?.succeeded == true,
              let pane = try? await tmux.checked(["display-message", "-p", "-t", "=\(name):", "#{pane_pid}"]),
              let pid = Int32(pane.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        logger.info("adopted tmux session", metadata: ["session": "\(name)", "pid": "\(pid)"])
        return TmuxAgent(name: name, panePID: pid, tmux: tmux)
    }

    func adopt(name: String, on host: any HostShell) async throws -> (any SpawnedAgent)? {
        let tmux = Self.tmux(on: host, socket: socket)
        guard try await tmux.run(["has-session", "-t", "=\(name)"]).succeeded else { return nil }
        let pane = try await tmux.run(["display-message", "-p", "-t", "=\(name):", "#{pane_pid}"])
        guard pane.succeeded, let pid = Int32(pane.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        logger.info("adopted tmux session", metadata: ["session": "\(name)", "host": "\(host.hostName)"])
        return TmuxAgent(name: name, panePID: pid, tmux: tmux)
    }

    func probe() async throws -> String {
        guard let tmux else { throw SpawnError.unavailable("tmux is not installed (apt-get install tmux)") }
        let version = try await tmux.run(["-V"])
        guard version.succeeded else { throw SpawnError.unavailable("tmux -V failed: \(version.standardError)") }
        return version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
