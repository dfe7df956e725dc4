import Dispatch
import Synchronization

/// A value one thread waits for and another delivers, once (the bridge works with plain
/// threads: it blocks on its stdin and its socket, which Swift's shared thread pool must not).
final class Completion<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let signal = DispatchSemaphore(value: 0)

    /// The first call wins; later ones are ignored.
    func resolve(_ result: Value) {
        let first = value.withLock { current -> Bool in
            guard current == nil else { return false }
            current = result
            return true
        }
        if first { signal.signal() }
    }

    /// The value, or nil if it did not come within `timeout`.
    func wait(timeout: Duration) -> Value? {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        guard signal.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return nil }
        signal.signal()   // later waits return at once too
        return value.withLock { $0 }
    }
}
