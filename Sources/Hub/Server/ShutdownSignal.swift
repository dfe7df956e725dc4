import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM (or, when asked, end of standard input). The signal handler only
/// writes a byte to a pipe (the self-pipe trick): whichever thread the kernel picks runs it, and
/// a dedicated thread wakes up. (libdispatch's signal sources miss signals on Linux when the
/// kernel delivers them to a thread that has not blocked them.)
enum ShutdownSignal {
    /// With `orStdinClose`, end of standard input also counts: a parent (a test, a supervisor)
    /// that dies closes the pipe, and the hub ends its sessions instead of orphaning them.
    static func wait(orStdinClose: Bool = false) async {
        let wakeUp = signalPipe.read
        install()
        // Cancelling the wait (the server failed to start) wakes the thread like a signal would.
        await withTaskCancellationHandler {
            await waitOnThread(wakeUp: wakeUp, orStdinClose: orStdinClose)
        } onCancel: {
            onShutdownSignal(0)
        }
    }

    private static func waitOnThread(wakeUp: Int32, orStdinClose: Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                var fds = [pollfd(fd: wakeUp, events: Int16(POLLIN), revents: 0)]
                if orStdinClose { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
                while true {
                    guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { break }
                    if fds[0].revents != 0 { break }
                    if fds.count > 1, fds[1].revents != 0 {
                        var byte: UInt8 = 0
                        // Data on stdin is ignored; end of file (or an error) means the parent is gone.
                        if read(STDIN_FILENO, &byte, 1) <= 0 { break }
                    }
                }
                continuation.resume()
            }
        }
    }

    private static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, onShutdownSignal)
        }
    }
}

/// Created before any handler is installed, so the handler only reads an initialized constant.
private let signalPipe: (read: Int32, write: Int32) = {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return (-1, -1) }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
}()

/// Async-signal-safe: one `write`.
private func onShutdownSignal(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipe.write, &byte, 1)
}
