#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// An engine a previous hub launched and could not stop (it was killed): found by its pid file,
/// confirmed by its command line (a recycled pid belongs to someone else), ended with its group.
enum LeftoverEngine {
    static func record(_ pid: Int32, in pidFile: String) {
        try? "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
    }

    static func stop(pidFile: String, executable: String, logger: Logger) {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else { return }
        try? FileManager.default.removeItem(atPath: pidFile)
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: cmdline, as: UTF8.self).contains(executable) else { return }
        logger.warning("stopping an engine a previous hub left running", metadata: ["pid": "\(pid)"])
        // It was started as the leader of its own process group.
        kill(-pid, SIGTERM)
        for _ in 0..<50 {
            if kill(pid, 0) != 0 { return }
            usleep(100_000)
        }
        kill(-pid, SIGKILL)
    }
}
