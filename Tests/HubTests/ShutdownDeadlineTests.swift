import Foundation
@testable import Hub
import Synchronization
import Testing

struct ShutdownDeadlineTests {
    private final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    @Test func firesOnceTheLimitHasPassedAndNotBefore() async throws {
        let fired = Flag()
        let armed = ContinuousClock.now
        ShutdownDeadline.arm(after: .milliseconds(300)) { fired.set() }
        #expect(!fired.isSet)
        while !fired.isSet, ContinuousClock.now - armed < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(fired.isSet)
        #expect(ContinuousClock.now - armed >= .milliseconds(300))
    }
}
