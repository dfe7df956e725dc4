import Foundation
import PluginAPI
import PluginRuntime

/// Runs the `tmux` client with an argv (never through a shell), on the configured server socket.
struct TmuxCommand: Sendable {
    /// `-L name`: a separate tmux server, e.g. to keep tests apart from the user's own sessions.
    let socketName: String?
    let executable: String

    struct Output: Sendable {
        let succeeded: Bool
        let standardOutput: String
        let standardError: String
    }

    func run(_ arguments: [String]) async throws -> Output {
        var argv: [String] = []
        if let socketName { argv += ["-L", socketName] }
        argv += arguments
        let result = try await ChildProcess.run([executable] + argv)
        return Output(
            succeeded: result.succeeded,
            standardOutput: result.standardOutput,
            standardError: result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs and throws with tmux's own message when it fails.
    @discardableResult
    func checked(_ arguments: [String]) async throws -> String {
        let output = try await run(arguments)
        guard output.succeeded else {
            throw SpawnError.failed("tmux \(arguments.first ?? ""): \(output.standardError)")
        }
        return output.standardOutput
    }
}
