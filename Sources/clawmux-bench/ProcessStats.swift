import Foundation

/// CPU time and memory of processes, read from /proc (not estimated).
enum ProcessStats {
    /// CPU seconds of each of the processes' threads alive now ("pid/tid" → seconds), in
    /// nanoseconds from schedstat (a bridge spends a few ms over a whole run: /proc/<pid>/stat's
    /// 10 ms ticks would round it to nothing). Compare two readings with `delta(from:to:)`.
    static func threadCPU(_ pids: [pid_t]) -> [String: Double] {
        perThread(pids) { pid, task in
            guard let line = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8) else { return nil }
            return line.split(separator: " ").first.flatMap { Double($0) }.map { $0 / 1e9 }
        }
    }

    /// Context switches (voluntary and not) of each thread alive now: each is a thread that went
    /// to sleep or was put off the CPU, the hub's main cost on a loopback turn.
    static func threadSwitches(_ pids: [pid_t]) -> [String: Double] {
        perThread(pids) { pid, task in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { return nil }
            return status.split(separator: "\n").reduce(0) { sum, line in
                guard line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") else { return sum }
                return sum + (Double(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0)
            }
        }
    }

    /// What the threads used between two readings (never negative): a thread that ended in between
    /// is missed, one that started counts from zero.
    static func delta(from before: [String: Double], to after: [String: Double]) -> Double {
        after.reduce(0) { total, entry in total + max(0, entry.value - (before[entry.key] ?? 0)) }
    }

    /// This process's CPU seconds, all threads, ended ones included.
    static func ownCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func perThread(_ pids: [pid_t], _ read: (pid_t, String) -> Double?) -> [String: Double] {
        var values: [String: Double] = [:]
        for pid in pids {
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                if let value = read(pid, task) { values["\(pid)/\(task)"] = value }
            }
        }
        return values
    }

    /// A size line of /proc/<pid>/status in bytes: VmRSS, or VmHWM (peak RSS).
    static func memory(_ pid: pid_t, _ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    /// The bridges (`clawmux-mcp`, or `clawmux mcp`) running in session dirs under `workRoot`.
    static func bridges(under workRoot: String) -> [pid_t] {
        processes(under: workRoot) { argv in
            // On a host the bridge is a copy named after its build: clawmux-mcp-<fingerprint>.
            argv.first.map { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("clawmux-mcp") } == true
                || (argv.count >= 2 && argv[0].hasSuffix("clawmux") && argv[1] == "mcp")
        }
    }

    /// The demo agents (`clawmux demo-agent`) running in session dirs under `workRoot`.
    static func agents(under workRoot: String) -> [pid_t] {
        processes(under: workRoot) { argv in argv.count >= 2 && argv[0].hasSuffix("clawmux") && argv[1] == "demo-agent" }
    }

    /// A process's argv.
    static func command(_ pid: pid_t) -> [String] {
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The children of `parent` whose executable is `name` (the hub's master ssh clients).
    static func children(of parent: pid_t, named name: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // After "pid (comm) state ppid": the comm may hold spaces, so count from its ")".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, pid_t(fields[1]) == parent, command(pid).first.map({ URL(fileURLWithPath: $0).lastPathComponent == name }) == true else { return nil }
            return pid
        }
    }

    static func processes(under workRoot: String, where matches: ([String]) -> Bool) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let argv = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard matches(argv),
                  let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                  cwd.hasPrefix(workRoot) else { return nil }
            return pid
        }
    }
}
