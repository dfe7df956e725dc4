import Foundation

/// Runs blocking work (pipe reads, waiting for a child) on its own thread, so it never
/// occupies one of the few threads of Swift's cooperative pool.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    /// A one-way channel (a socket pair; Swift does not see `pipe2`) whose ends are
    /// close-on-exec from the start, so they never leak into
    /// children other tests spawn concurrently: a leaked write end would keep a hub's stdin open
    /// after its test is gone. `Process` dup2s the child's end onto 0/1/2, which clears the flag there.
    public static func pipe() -> (read: FileHandle, write: FileHandle) {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { fatalError("socketpair failed: \(errno)") }
        return (FileHandle(fileDescriptor: fds[0], closeOnDealloc: true), FileHandle(fileDescriptor: fds[1], closeOnDealloc: true))
    }
}
