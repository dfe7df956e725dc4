@testable import Plugins
import Synchronization
import Testing
import PluginRuntime

struct TimeoutTests {
    @Test func aQuickOperationReturnsItsValue() async throws {
        let value = try await withTimeout(.seconds(5)) { 42 }
        #expect(value == 42)
    }

    @Test func aSlowOperationIsCancelledAndTimesOut() async throws {
        let sawCancellation = Mutex(false)
        let started = ContinuousClock.now
        await #expect(throws: TimeoutExceeded.self) {
            try await withTimeout(.milliseconds(100)) {
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    sawCancellation.withLock { $0 = true }
                    throw error
                }
            }
        }
        #expect(sawCancellation.withLock { $0 })
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func theOperationsOwnErrorComesThrough() async throws {
        struct Failure: Error, Equatable {}
        await #expect(throws: Failure.self) {
            try await withTimeout(.seconds(5)) { throw Failure() }
        }
    }

    @Test func cancellingTheCallerCancelsTheOperation() async throws {
        let caller = Task {
            try await withTimeout(.seconds(30)) { try await Task.sleep(for: .seconds(30)) }
        }
        try await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
