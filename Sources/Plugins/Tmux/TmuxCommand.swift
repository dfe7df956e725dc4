import Foundation
import PluginAPI
import PluginRuntime

/// Runs the `tmux` client with an argv (never through a shell), on the configured server
/// socket: here, or on another host through its connection.
struct TmuxCommand: Sendable {
    /// `-L name`: a separate tmux server, e.g. to keep tests apart from the user's own sessions.
    let socketName: String?
    let executable: String
    /// Where tmux runs; nil: this machine.
    let host: (any HostShell)?

    init(socketName: String?, executable: String, host: (any HostShell)? = nil) {
        self.socketName = socketName
        self.executable = executable
        self.host = host
    }

    struct Output: Sendable {
        let succeeded: Bool
        let standardOutput: String
        let standardError: String
    }

    /// Throws when tmux cannot be run at all (on a host: the host cannot be reached).
    func run(_ arguments: [String], input: Data? = nil) async throws -> Output {
        var argv = [executable]
        if let socketName { argv += ["-L", socketName] }
        argv += arguments
        let (succeeded, printed, complained): (Bool, String, String)
        if let host {
            let result = try await host.run(argv, input: input)
            (succeeded, printed, complained) = (result.succeeded, result.standardOutput, result.standardError)
        } else {
            let result = try await ChildProcess.run(argv, input: input)
            (succeeded, printed, complained) = (result.succeeded, result.standardOutput, result.standardError)
        }
        return Output(succeeded: succeeded, standardOutput: printed,
                      standardError: complained.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs and throws with tmux's own message when it fails.
    @discardableResult
    func checked(_ arguments: [String], input: Data? = nil) async throws -> String {
        let output = try await run(arguments, input: input)
        guard output.succeeded else {
            let place = host.map { " on \($0.hostName)" } ?? ""
            throw SpawnError.failed("tmux \(arguments.first ?? "")\(place): \(output.standardError)")
        }
        return output.standardOutput
    }
}
