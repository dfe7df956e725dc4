import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM. The hub handles them itself (rather than through graceful
/// server shutdown) so that open WebSockets cannot hold the exit up.
enum ShutdownSignal {
    static func wait() async {
        let waiter = Waiter()
        await withCheckedContinuation { continuation in
            waiter.install(continuation)
        }
    }

    private final class Waiter: Sendable {
        private struct State: @unchecked Sendable {
            // Dispatch sources are thread-safe; they are only kept here to stay alive.
            var continuation: CheckedContinuation<Void, Never>?
            var sources: [any DispatchSourceSignal] = []
        }

        private let state = Mutex(State())

        func install(_ continuation: CheckedContinuation<Void, Never>) {
            let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { self.fire() }
                return source
            }
            state.withLock {
                $0.continuation = continuation
                $0.sources = sources
            }
            sources.forEach { $0.resume() }
        }

        private func fire() {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume()
        }
    }
}
