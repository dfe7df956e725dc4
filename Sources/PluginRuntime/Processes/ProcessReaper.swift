import Dispatch
import Foundation

/// Waits for children to end without a thread each: a pidfd (Linux 5.3+, glibc 2.36+) becomes
/// readable when its process exits, and one dispatch queue watches them all. A hub with many
/// sessions and engines would otherwise keep a thread (and its stack) per child. Where
/// `pidfd_open` is missing, a thread blocked in `waitpid` does it.
enum ProcessReaper {
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32

    private static let pidfdOpen: PidfdOpen? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_open")
        .map { unsafeBitCast($0, to: PidfdOpen.self) }
    private static let queue = DispatchQueue(label: "clawmux.process-reaper")

    /// Reaps `pid` once it exits and hands over how it ended.
    static func watch(_ pid: pid_t, then finish: @escaping @Sendable (ChildProcess.Termination) -> Void) {
        if let open = pidfdOpen {
            let fd = open(pid, 0)
            if fd >= 0 {
                let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
                let box = SourceBox(source)
                source.setEventHandler {
                    var status: Int32 = 0
                    let reaped = waitpid(pid, &status, WNOHANG)
                    // 0: not yet (a spurious wake-up); EINTR: try at the next event.
                    if reaped == 0 || (reaped < 0 && errno == EINTR) { return }
                    box.source?.cancel()
                    box.source = nil
                    finish(termination(reaped == pid ? status : 0))
                }
                source.setCancelHandler { close(fd) }
                source.resume()
                return
            }
        }
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            finish(termination(status))
        }
        reaper.name = "reaper \(pid)"
        reaper.start()
    }

    /// WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
    private static func termination(_ status: Int32) -> ChildProcess.Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    /// Keeps the source alive until its process has been reaped (the handler releases it).
    private final class SourceBox: @unchecked Sendable {
        var source: (any DispatchSourceRead)?
        init(_ source: any DispatchSourceRead) { self.source = source }
    }
}
