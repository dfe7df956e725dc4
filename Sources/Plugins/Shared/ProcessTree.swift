#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Finding and ending a process and everything it started, including children that left
/// its process group (an agent's MCP server, a shell's background jobs).
enum ProcessTree {
    /// All live descendants of `root`, read from /proc (children before grandchildren).
    static func descendants(of root: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let parent = parentAndState(of: pid)?.parent else { continue }
            children[parent, default: []].append(pid)
        }
        var result: [pid_t] = []
        var queue = children[root] ?? []
        while let next = queue.first {
            queue.removeFirst()
            result.append(next)
            queue.append(contentsOf: children[next] ?? [])
        }
        return result
    }

    /// Parent pid and state letter from `/proc/<pid>/stat`, nil if the process is gone.
    static func parentAndState(of pid: pid_t) -> (parent: pid_t, state: Character)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) " come the state and the parent pid; comm may itself hold spaces.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count >= 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return (parent, state)
    }

    /// Gone, or a zombie waiting for a parent that is not us.
    static func isGone(_ pid: pid_t) -> Bool {
        guard let info = parentAndState(of: pid) else { return true }
        return info.state == "Z" || info.state == "X"
    }

    /// SIGTERM to all, SIGKILL to whatever is still there after `grace`.
    static func terminate(_ pids: [pid_t], grace: Duration = .seconds(2)) async {
        let targets = pids.filter { $0 > 1 }
        for pid in targets { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if targets.allSatisfy(isGone) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        for pid in targets where !isGone(pid) { kill(pid, SIGKILL) }
    }
}
