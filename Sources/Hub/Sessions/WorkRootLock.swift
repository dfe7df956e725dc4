import Foundation

/// One hub per work root: a second hub on the same directory would adopt the first one's live
/// sessions and, when their bridges did not come to it, end them. The lock is an flock on
/// `<work_root>/.clawmux.lock`, held while the process lives (a killed hub leaves none behind).
final class WorkRootLock: Sendable {
    struct Taken: Error, CustomStringConvertible {
        let root: String
        let holder: String

        var description: String {
            "another hub\(holder.isEmpty ? "" : " (pid \(holder))") already uses the session directory \(root); "
                + "stop it, or give this one its own sessions.work_root"
        }
    }

    private let fd: Int32

    init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = root + "/.clawmux.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw Taken(root: root, holder: holder)
        }
        // Who holds it, for the message another hub prints.
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit { close(fd) }
}
