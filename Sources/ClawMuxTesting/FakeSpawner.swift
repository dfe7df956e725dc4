import Foundation
import PluginAPI
import Synchronization

/// A spawner of the test process: its agents are `FakeAgent`s that record the keys they get
/// and show the screens a test gives them. Nothing is started.
public final class FakeSpawner: Spawner {
    public let name: String
    private let spawned = Mutex<[FakeAgent]>([])

    public init(name: String) {
        self.name = name
    }

    /// The agents spawned so far, oldest first.
    public var agents: [FakeAgent] { spawned.withLock { $0 } }

    public func spawn(_ spec: SpawnSpec) async throws -> any SpawnedAgent {
        let agent = FakeAgent(spec: spec)
        spawned.withLock { $0.append(agent) }
        return agent
    }

    public func probe() async throws -> String { "fake \(name)" }
}

public final class FakeAgent: SpawnedAgent {
    private struct State {
        var keys: [TerminalKey] = []
        var alive = true
        var screen: String?
        var watchers: [AsyncStream<String>.Continuation] = []
    }

    public let spec: SpawnSpec
    private let state = Mutex(State())

    init(spec: SpawnSpec) {
        self.spec = spec
    }

    public var debugDescription: String { "fake agent \(spec.name)" }
    /// Every key sent, in order.
    public var keys: [TerminalKey] { state.withLock { $0.keys } }

    public func send(_ keys: [TerminalKey]) async throws {
        state.withLock { $0.keys += keys }
    }

    public func isAlive() async -> Bool { state.withLock { $0.alive } }

    /// Puts `screen` on the terminal (watchers of `screens()` see it).
    public func show(_ screen: String) {
        let watchers = state.withLock { state in
            state.screen = screen
            return state.watchers
        }
        for watcher in watchers { watcher.yield(screen) }
    }

    /// The agent ends by itself (as one that crashed).
    public func exit() {
        let watchers = state.withLock { state in
            state.alive = false
            defer { state.watchers.removeAll() }
            return state.watchers
        }
        for watcher in watchers { watcher.finish() }
    }

    public func terminate() async { exit() }

    public func screens() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let (screen, alive) = state.withLock { state in
            if state.alive { state.watchers.append(continuation) }
            return (state.screen, state.alive)
        }
        if let screen { continuation.yield(screen) }
        if !alive { continuation.finish() }
        return stream
    }

    public func lastScreen() async -> String? { state.withLock { $0.screen } }
}
