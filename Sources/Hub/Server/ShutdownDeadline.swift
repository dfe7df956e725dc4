import Foundation

/// Ends the process if a shutdown has not finished in time: Ctrl-C must always end the hub, even
/// when something it waits for never lets go (a deadlock once held a hub for good). A plain
/// thread, so a blocked task pool cannot hold it up. What is left running is taken care of by
/// the next hub: it adopts surviving agents and ends the engines a killed hub left behind.
enum ShutdownDeadline {
    static let limit: Duration = .seconds(20)

    static func arm(after limit: Duration = limit, onExpiry: @escaping @Sendable () -> Void = exitNow) {
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: limit.seconds)
            onExpiry()
        }
    }

    /// Writes one line to stderr (without the logging system's locks) and exits at once.
    @Sendable static func exitNow() {
        let message = Array("clawmux: the shutdown did not finish within \(limit); exiting now\n".utf8)
        message.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        _exit(1)
    }
}
