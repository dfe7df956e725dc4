import Foundation

/// Lines posted by a reader thread, taken one at a time by whoever waits; closed when the
/// process behind it is gone (waiters then learn why).
final class Mailbox: @unchecked Sendable {
    struct Closed: Error {
        let reason: String
    }

    private let lock = NSLock()
    private var items: [String] = []
    private var waiter: CheckedContinuation<String, any Error>?
    private var reason: String?

    var isClosed: Bool { lock.withLock { reason != nil } }
    var closeReason: String? { lock.withLock { reason } }

    func post(_ item: String) {
        let waiting: CheckedContinuation<String, any Error>? = lock.withLock {
            if let waiter {
                self.waiter = nil
                return waiter
            }
            items.append(item)
            return nil
        }
        waiting?.resume(returning: item)
    }

    func close(reason: String) {
        let waiting: CheckedContinuation<String, any Error>? = lock.withLock {
            self.reason = reason
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(throwing: Closed(reason: reason))
    }

    /// The next item; one waiter at a time (callers take turns). Cancellation ends the wait.
    func next() async throws -> String {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result: Result<String, any Error>? = lock.withLock {
                    if !items.isEmpty { return .success(items.removeFirst()) }
                    if let reason { return .failure(Closed(reason: reason)) }
                    // Cancelled before we got here: the cancel handler found no waiter to wake.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    waiter = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiting: CheckedContinuation<String, any Error>? = lock.withLock {
                defer { waiter = nil }
                return waiter
            }
            waiting?.resume(throwing: CancellationError())
        }
    }
}
