import Foundation

/// CPU time and memory of processes, read from /proc (not estimated).
enum ProcessStats {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// User + system CPU seconds of all of the process's threads so far.
    static func cpuSeconds(_ pid: pid_t) -> Double? {
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

    /// The bridges (`clawmux-mcp`, or `clawmux mcp`) running in session dirs under `workRoot`.
    static func bridges(under workRoot: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let argv = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            let isBridge = argv.first?.hasSuffix("/clawmux-mcp") == true
                || (argv.count >= 2 && argv[0].hasSuffix("clawmux") && argv[1] == "mcp")
            guard isBridge,
                  let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                  cwd.hasPrefix(workRoot) else { return nil }
            return pid
        }
    }
}
