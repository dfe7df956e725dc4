/// Thrown by `withTimeout` when the operation took too long.
struct TimeoutExceeded: Error {}

/// Runs `operation`, cancelling it and throwing `TimeoutExceeded` after `limit`.
func withTimeout<T: Sendable>(
    _ limit: Duration, operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimeoutExceeded() }
        return first
    }
}
