import NIOCore
import NIOPosix

/// Thrown by `withTimeout` when the operation took too long.
public struct TimeoutExceeded: Error {
    public init() {}
}

/// Runs `operation`, cancelling it and throwing `TimeoutExceeded` after `limit`.
///
/// The deadline is a timer on an event loop, cancelled (and freed) as soon as the operation
/// ends. A racing `Task.sleep` child, as before, is woken by cancellation but its timer stays
/// queued until the deadline: with 60 s engine timeouts the benchmark's hub held ~60 s of
/// requests' worth of them (+65 MB at 700 turns/s, flat only after a minute).
public func withTimeout<T: Sendable>(
    _ limit: Duration, operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let work = Task { try await operation() }
    let expired = OnceSignal()
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(limit.nanoseconds)) {
        expired.fire()
        work.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        do {
            return try await work.value
        } catch {
            if expired.hasFired { throw TimeoutExceeded() }
            throw error
        }
    } onCancel: {
        work.cancel()
    }
}
