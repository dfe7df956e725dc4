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
        let attach = "tmux \(socket)attach -t \(name)"
        return tmux.host.map { "on \($0.hostName): \(attach)" } ?? attach
    }

    /// Literal text with `-l`, keys by their tmux names; one `send-keys` per run of either.
    func send(_ keys: [TerminalKey]) async throws {
        var names: [String] = []
        func flush() async throws {
            guard !names.isEmpty else { return }
            try await tmux.checked(["send-keys", "-t", target] + names)
            names.removeAll()
        }
        for key in keys {
            switch key {
            case .text(let text):
                try await flush()
                if !text.isEmpty { try await tmux.checked(["send-keys", "-t", target, "-l", "--", text]) }
            case .paste(let text):
                // A buffer of this session's own, pasted bracketed (-p) when the program asked for
                // that, and deleted after (-d).
                try await flush()
                // The text on stdin, never on a command line (no length limit, not in `ps`).
                let buffer = "clawmux-\(name)"
                try await tmux.checked(["load-buffer", "-b", buffer, "-"], input: Data(text.utf8))
                try await tmux.checked(["paste-buffer", "-p", "-d", "-b", buffer, "-t", target])
            default:
                names.append(Self.tmuxName(key))
            }
        }
        try await flush()
    }

    /// tmux's key names are ours, but for Backspace.
    static func tmuxName(_ key: TerminalKey) -> String {
        key == .backspace ? "BSpace" : key.description
    }

    /// The session stays after its agent exits (`remain-on-exit`), so its last screen can be
    /// read: alive means the pane's process still runs.
    /// On a host that cannot be reached now, nothing is known: the agent counts as alive (it
    /// most likely runs on, and its bridge comes back with the link).
    func isAlive() async -> Bool {
        let output: TmuxCommand.Output
        do {
            output = try await tmux.run(["display-message", "-p", "-t", target, "#{pane_dead}"])
        } catch {
            return tmux.host != nil
        }
        guard output.succeeded else { return false }
        return output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }

    func terminate() async {
        guard tmux.host == nil else {
            // On a host, tmux's hangup to the pane is the end we can give (its pids are not ours).
            _ = try? await tmux.run(["kill-session", "-t", "=\(name)"])
            return
        }
        // Collect the tree first: once the session is killed its processes are re-parented.
        let tree = [panePID] + ProcessTree.descendants(of: panePID)
        _ = try? await tmux.run(["kill-session", "-t", "=\(name)"])
        await ProcessTree.terminate(tree)
    }

    /// Between two reads of the screen: on a host each read is an ssh command (through the
    /// master connection, yet a process here and a shell there), so less often.
    var pollInterval: Duration { tmux.host == nil ? .milliseconds(100) : .milliseconds(250) }

    /// The visible screen, re-read while someone listens; tmux has no output event without a shell
    /// command (`pipe-pane`), so this polls: one tmux client per poll reads the screen and
    /// whether the agent still runs (a dead pane stays, `remain-on-exit`, and stops the stream).
    func screens() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let poller = Task {
            var last: String?
            while !Task.isCancelled {
                let output: TmuxCommand.Output
                do {
                    output = try await tmux.run([
                        "capture-pane", "-p", "-t", target, ";", "display-message", "-p", "-t", target, "#{pane_dead}",
                    ])
                } catch {
                    // A host that cannot be reached now: watched again once it can.
                    guard tmux.host != nil else { break }
                    try? await Task.sleep(for: .milliseconds(500))
                    continue
                }
                guard output.succeeded else {
                    // A capture that failed once (a busy server) is tried again; a session that is gone ends the watch.
                    guard (try? await tmux.run(["has-session", "-t", "=\(name)"]))?.succeeded == true else { break }
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                var lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
                while lines.last?.isEmpty == true { lines.removeLast() }
                let dead = lines.popLast() == "1"
                let screen = Self.trimmed(lines.joined(separator: "\n"))
                if screen != last {
                    last = screen
                    continuation.yield(screen)
                }
                if dead { break }
                try? await Task.sleep(for: pollInterval)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in poller.cancel() }
        return stream
    }

    /// With some history: the line tmux adds for a dead pane may have pushed the last words up.
    func lastScreen() async -> String? {
        guard let output = try? await tmux.run(["capture-pane", "-p", "-S", "-20", "-t", target]), output.succeeded else { return nil }
        let lines = Self.trimmed(output.standardOutput).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Pane is dead (") }
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Trailing blanks of each line and blank lines at the end removed, as TerminalScreen renders.
    static func trimmed(_ capture: String) -> String {
        var lines = capture.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var line = line
            while line.last == " " { line = line.dropLast() }
            return line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
