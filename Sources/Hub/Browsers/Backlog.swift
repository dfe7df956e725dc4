import Synchronization

/// Bytes queued for one browser tab and not yet written to its socket. The hub adds what it
/// queues, the tab's writer takes away what it wrote; a tab whose backlog passes the limit has
/// stopped reading.
final class Backlog: Sendable {
    private let bytes = Atomic<Int>(0)

    /// Adds `count` bytes; returns the new total.
    func add(_ count: Int) -> Int {
        bytes.wrappingAdd(count, ordering: .relaxed).newValue
    }

    func remove(_ count: Int) {
        bytes.wrappingSubtract(count, ordering: .relaxed)
    }
}
