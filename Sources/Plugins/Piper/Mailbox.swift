import Foundation
import Synchronization

/// Lines posted by a reader thread, taken one at a time by whoever waits; closed when the
/// process behind it is gone (waiters then learn why).
final class Mailbox: Sendable {
    struct Closed: Error {
        let reason: String
    }

    private struct State {
        var items: [String] = []
        var waiter: CheckedContinuation<String, any Error>?
        var reason: String?
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.reason != nil } }
    var closeReason: String? { state.withLock { $0.reason } }

    func post(_ item: String) {
        let waiting: CheckedContinuation<String, any Error>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(item)
            return nil
        }
        waiting?.resume(returning: item)
    }

    func close(reason: String) {
        let waiting: CheckedContinuation<String, any Error>? = state.withLock { state in
            state.reason = reason
            defer { state.waiter = nil }
            return state.waiter
        }
        waiting?.resume(throwing: Closed(reason: reason))
    }

    /// The next item; one waiter at a time (callers take turns). Cancellation ends the wait.
    func next() async throws -> String {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result: Result<String, any Error>? = state.withLock { state in
                    if !state.items.isEmpty { return .success(state.items.removeFirst()) }
                    if let reason = state.reason { return .failure(Closed(reason: reason)) }
                    // Cancelled before we got here: the cancel handler found no waiter to wake.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiter = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiting: CheckedContinuation<String, any Error>? = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiting?.resume(throwing: CancellationError())
        }
    }
}
