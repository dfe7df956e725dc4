import Foundation
import PluginAPI

/// An agent running in the tmux session `name`.
struct TmuxAgent: SpawnedAgent {
    let name: String
    let panePID: pid_t
    let tmux: TmuxCommand

    /// `=name:` targets exactly this session's current pane (no prefix matching).
    private var target: String { "=\(name):" }

    var debugDescription: String {
        let socket = tmux.socketName.map { "-L \($0) " } ?? ""
        return "tmux \(socket)attach -t \(name)"
    }

    func type(_ text: String, pressEnter: Bool) async throws {
        if !text.isEmpty {
            try await tmux.checked(["send-keys", "-t", target, "-l", "--", text])
        }
        if pressEnter {
            try await tmux.checked(["send-keys", "-t", target, "Enter"])
        }
    }

    func isAlive() async -> Bool {
        guard let output = try? await tmux.run(["has-session", "-t", "=\(name)"]) else { return false }
        return output.succeeded
    }

    func terminate() async {
        // Collect the tree first: once the session is killed its processes are re-parented.
        let tree = [panePID] + ProcessTree.descendants(of: panePID)
        _ = try? await tmux.run(["kill-session", "-t", "=\(name)"])
        await ProcessTree.terminate(tree)
    }

    /// The visible screen, re-read while someone listens; tmux has no output event without a shell
    /// command (`pipe-pane`), so this polls `capture-pane`, which is cheap and bounded to the watch.
    func terminalOutput() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let poller = Task {
            var last = ""
            while !Task.isCancelled {
                guard let output = try? await tmux.run(["capture-pane", "-p", "-J", "-t", target]),
                      output.succeeded else { break }
                if output.standardOutput != last {
                    last = output.standardOutput
                    continuation.yield(last)
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in poller.cancel() }
        return stream
    }
}
