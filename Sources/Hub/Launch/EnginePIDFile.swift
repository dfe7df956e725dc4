#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The pid file of a launched engine, `<engine pid> <pid of the clawmux that launched it>`, in
/// the state dir. With it the next hub ends an engine whose hub was killed (a leftover), and
/// `clawmux say` or `transcribe`, sharing the state dir with a running hub, use that hub's
/// engine instead of killing it (or deleting its file, so the leftover would never be ended).
struct EnginePIDFile {
    let path: String
    /// The engine's executable, to confirm a pid is still that engine (pids are recycled).
    let executable: String

    func record(_ engine: Int32) {
        try? "\(engine) \(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The launcher's pid when the engine runs for another clawmux process that is still alive.
    func liveLauncher() -> Int32? {
        guard let (engine, launcher) = read(), let launcher, launcher != getpid(),
              Self.commandLine(of: launcher)?.contains("clawmux") == true,
              Self.commandLine(of: engine)?.contains(executable) == true else { return nil }
        return launcher
    }

    /// Ends the engine a clawmux process that is gone left running, with its process group;
    /// never one whose launcher still runs.
    func stopLeftover(logger: Logger) {
        guard liveLauncher() == nil, let (pid, _) = read() else { return }
        try? FileManager.default.removeItem(atPath: path)
        guard pid > 1, Self.commandLine(of: pid)?.contains(executable) == true else { return }
        logger.warning("stopping an engine a previous hub left running", metadata: ["pid": "\(pid)"])
        // It was started as the leader of its own process group.
        kill(-pid, SIGTERM)
        for _ in 0..<50 {
            if kill(pid, 0) != 0 { return }
            usleep(100_000)
        }
        kill(-pid, SIGKILL)
    }

    /// Removes the file if this process wrote it.
    func forget() {
        guard let (_, launcher) = read(), launcher == getpid() else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The launcher is nil in files of older hubs, which wrote the engine's pid alone.
    private func read() -> (engine: Int32, launcher: Int32?)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace).map { Int32($0) }
        guard let engine = fields.first ?? nil else { return nil }
        return (engine, fields.count > 1 ? fields[1] : nil)
    }

    private static func commandLine(of pid: Int32) -> String? {
        guard pid > 1, let bytes = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
