import Foundation
import ClawMuxTesting

/// Looking at processes from the outside, to prove that nothing outlives a session.
enum ProcessInspection {
    /// Every command line on this machine (arguments joined by spaces) that contains `text`.
    static func commandLines(containing text: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let line = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return line.contains(text) ? line : nil
        }
    }

    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// The process and all its descendants.
    static func tree(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var result = [root]
        var index = 0
        while index < result.count {
            result += children[result[index]] ?? []
            index += 1
        }
        return result
    }

    /// Runs a command (argv) and returns its exit status and output.
    @discardableResult
    static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a command with `input` on its stdin, off the cooperative pool; its status and
    /// everything it printed (stdout and stderr).
    static func runWithInput(_ argv: [String], input: String) async throws -> (status: Int32, output: String) {
        let result = await Blocking.run { () -> Result<(Int32, String), any Error> in
            Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: argv[0])
                process.arguments = Array(argv.dropFirst())
                let stdin = Pipe(), output = Pipe()
                process.standardInput = stdin
                process.standardOutput = output
                process.standardError = output
                try process.run()
                try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
                try stdin.fileHandleForWriting.close()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: data, as: UTF8.self))
            }
        }
        let (status, printed) = try result.get()
        return (status, printed)
    }

    /// A size line of /proc/<pid>/status (`VmRSS`, `VmHWM` = peak RSS) in bytes.
    static func memory(_ pid: Int32, _ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }

    /// The root pid of a session's agent, from the snapshot's `terminal` field.
    static func agentPID(terminal: String, tmuxSocket: String, sessionID: String) throws -> Int32 {
        if terminal.hasPrefix("pty pid "), let pid = Int32(terminal.dropFirst("pty pid ".count)) { return pid }
        let (status, output) = try run(["tmux", "-L", tmuxSocket, "display-message", "-p", "-t", "=\(sessionID):", "#{pane_pid}"])
        guard status == 0, let pid = Int32(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("no pane pid for \(sessionID): \(output)")
        }
        return pid
    }
}
