import Foundation
import Logging

/// What the hub knows about each backend instance and every decision it takes from it, as a
/// plain state machine: outcomes of real calls and probes, a clock and the launched engines'
/// phases in; probes to run and lines to log out. `BackendHealth` executes it.
///
/// A backend that failed a call or a probe is `down`: the routing skips it until a probe
/// passes. A healthy one is probed every `interval`, one that is down every `retryInterval`.
/// A request the engine refused (a 4xx) is noted but does not take the engine out of use.
struct BackendHealthMachine: Sendable {
    enum Status: String, Sendable {
        case unknown, ok, down
        /// A launched engine that is starting, or not started yet (`start: first_use`).
        case starting, idle
    }

    struct State: Sendable, Equatable {
        var status: Status = .unknown
        var detail = ""
        var lastError: String?
        var lastLatency: Duration?
        var lastChecked: Date?
        var lastUsed: Date?
        var probing = false
    }

    enum Event: Sendable {
        case callSucceeded(String, latency: Duration)
        /// `engineAtFault: false`: a request the engine refused.
        case callFailed(String, error: String, engineAtFault: Bool)
        /// The monitor's clock: probe whatever is due.
        case tick
        /// A launched engine's phase, asked for instead of a probe (`askSupervisor`).
        case launched(String, phase: EngineSupervisor.Phase, logFile: String, lastFailure: String?)
        case probed(String, BackendProbe.Outcome)
        /// Shutdown: no probe may start an engine (Piper) that is being stopped.
        case stop
    }

    enum Action: Sendable, Equatable {
        case runProbe(String)
        /// A launched engine that is not running is reported by its supervisor, not probed.
        case askSupervisor(String)
        case log(Logger.Level, String, backend: String)
    }

    private(set) var states: [String: State]
    /// In the registry's order (probes start in it).
    private let names: [String]
    private let launched: Set<String>
    private let interval: Duration
    private let retryInterval: Duration
    private(set) var stopped = false

    init(names: [String], launched: Set<String>, interval: Duration, retryInterval: Duration) {
        self.names = names
        self.launched = launched
        self.interval = interval
        self.retryInterval = retryInterval
        states = Dictionary(names.map { ($0, State()) }, uniquingKeysWith: { first, _ in first })
    }

    /// False while the backend is known to be down (the routing then tries the next link).
    func isUsable(_ name: String) -> Bool {
        states[name]?.status != .down
    }

    /// True when some backend of the chain passed its last probe or call (or, launched by the
    /// hub, will be started when needed).
    func anyHealthy(_ backends: [String]) -> Bool {
        backends.contains { [.ok, .idle].contains(states[$0]?.status) }
    }

    mutating func handle(_ event: Event, now: Date) -> [Action] {
        switch event {
        case .callSucceeded(let name, let latency):
            guard var state = states[name] else { return [] }
            let back = state.status == .down
            state.status = .ok
            state.lastLatency = latency
            state.lastUsed = now
            states[name] = state
            return back ? [.log(.notice, "backend is back", backend: name)] : []

        case .callFailed(let name, let error, let engineAtFault):
            guard var state = states[name] else { return [] }
            let wasDown = state.status == .down
            if engineAtFault { state.status = .down }
            state.lastError = error
            state.lastUsed = now
            states[name] = state
            guard engineAtFault, !wasDown else { return [] }
            return [.log(.warning, "backend failed; skipping it until a probe passes: \(error)", backend: name)]

        case .tick:
            guard !stopped else { return [] }
            var actions: [Action] = []
            for name in names {
                guard let state = states[name], !state.probing else { continue }
                let period = state.status == .ok ? interval : retryInterval
                if let checked = state.lastChecked, now.timeIntervalSince(checked) < period.seconds { continue }
                states[name]?.probing = true
                actions.append(launched.contains(name) ? .askSupervisor(name) : .runProbe(name))
            }
            return actions

        case .launched(let name, let phase, let logFile, let lastFailure):
            switch phase {
            case .running:
                return stopped ? finish(name, now: now) { _ in } : [.runProbe(name)]
            case .idle, .starting:
                return finish(name, now: now) {
                    $0.status = phase == .idle ? .idle : .starting
                    $0.detail = phase == .idle ? "starts on first use" : "starting (log: \(logFile))"
                }
            case .waitingToRestart, .stopped:
                return finish(name, now: now) {
                    $0.status = .down
                    $0.detail = "not running"
                    $0.lastError = lastFailure ?? $0.lastError
                }
            }

        case .probed(let name, let outcome):
            let wasDown = states[name]?.status == .down
            var actions = finish(name, now: now) { state in
                state.status = outcome.healthy ? .ok : .down
                state.detail = outcome.healthy ? outcome.detail : "probe failed"
                if !outcome.healthy { state.lastError = outcome.detail }
                state.lastLatency = outcome.latency
            }
            if outcome.healthy, wasDown {
                actions.append(.log(.notice, "backend is back", backend: name))
            } else if !outcome.healthy, !wasDown {
                actions.append(.log(.warning, "backend probe failed: \(outcome.detail)", backend: name))
            }
            return actions

        case .stop:
            stopped = true
            return []
        }
    }

    /// A probe (or the supervisor's answer) is in: the state changes and the next one may start.
    private mutating func finish(_ name: String, now: Date, _ change: (inout State) -> Void) -> [Action] {
        guard var state = states[name] else { return [] }
        change(&state)
        state.probing = false
        state.lastChecked = now
        states[name] = state
        return []
    }
}
