import Foundation

/// CPU time and memory of processes, read from /proc (not estimated).
enum ProcessStats {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// CPU seconds of the process's threads alive now, in nanoseconds from each thread's
    /// schedstat (a bridge spends a few ms over a whole run: /proc/<pid>/stat's 10 ms ticks
    /// would round it to nothing); the ticks of /proc/<pid>/stat where schedstat is missing.
    static func cpuSeconds(_ pid: pid_t) -> Double? {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var nanoseconds: Double = 0
        for task in tasks {
            guard let line = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
                  let onCPU = line.split(separator: " ").first.flatMap({ Double($0) }) else { return tickSeconds(pid) }
            nanoseconds += onCPU
        }
        return tasks.isEmpty ? nil : nanoseconds / 1e9
    }

    /// User + system CPU seconds of all of the process's threads so far, in clock ticks.
    private static func tickSeconds(_ pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// A size line of /proc/<pid>/status in bytes: VmRSS, or VmHWM (peak RSS).
    static func memory(_ pid: pid_t, _ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    /// Context switches (voluntary and not) of the process's threads alive now: each one is a
    /// thread that went to sleep or was put off the CPU, the hub's main cost on a loopback turn.
    static func contextSwitches(_ pid: pid_t) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, task in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { return total }
            return total + status.split(separator: "\n").reduce(0) { sum, line in
                guard line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") else { return sum }
                return sum + (Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0)
            }
        }
    }

    /// The bridges (`clawmux-mcp`, or `clawmux mcp`) running in session dirs under `workRoot`.
    static func bridges(under workRoot: String) -> [pid_t] {
        processes(under: workRoot) { argv in
            argv.first?.hasSuffix("/clawmux-mcp") == true || (argv.count >= 2 && argv[0].hasSuffix("clawmux") && argv[1] == "mcp")
        }
    }

    /// The demo agents (`clawmux demo-agent`) running in session dirs under `workRoot`.
    static func agents(under workRoot: String) -> [pid_t] {
        processes(under: workRoot) { argv in argv.count >= 2 && argv[0].hasSuffix("clawmux") && argv[1] == "demo-agent" }
    }

    private static func processes(under workRoot: String, where matches: ([String]) -> Bool) -> [pid_t] {
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
