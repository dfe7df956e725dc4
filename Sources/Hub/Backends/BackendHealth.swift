import Foundation
import Logging
import PluginAPI

/// What the hub knows about each backend instance: kept current by periodic probes and by the
/// outcome of real calls. A backend that failed is skipped by the routing until a probe passes.
public actor BackendHealth {
    public enum Status: String, Sendable {
        case unknown, ok, down
        /// A launched engine that is starting, or not started yet (`start: first_use`).
        case starting, idle
    }

    struct State: Sendable {
        var status: Status = .unknown
        var detail = ""
        var lastError: String?
        var lastLatency: Duration?
        var lastChecked: Date?
        var lastUsed: Date?
        var probing = false
    }

    private var states: [String: State] = [:]
    /// Set at shutdown: no probe may start an engine (Piper) that is being stopped.
    private var stopped = false
    private let registry: BackendRegistry
    private let supervisors: EngineSupervisors
    private let settings: HealthSettings
    private let logger: Logger

    public init(registry: BackendRegistry, supervisors: EngineSupervisors, settings: HealthSettings, logger: Logger) {
        self.registry = registry
        self.supervisors = supervisors
        self.settings = settings
        self.logger = logger
        for instance in registry.instances { states[instance.name] = State() }
    }

    /// False while the backend is known to be down (the routing then tries the next link).
    func isUsable(_ name: String) -> Bool {
        states[name]?.status != .down
    }

    func recordSuccess(_ name: String, latency: Duration) {
        guard var state = states[name] else { return }
        if state.status == .down { logger.notice("backend is back", metadata: ["backend": "\(name)"]) }
        state.status = .ok
        state.lastLatency = latency
        state.lastUsed = Date()
        states[name] = state
    }

    /// `engineAtFault: false` (a request the engine refused): noted, but the engine stays in use.
    func recordFailure(_ name: String, error: String, engineAtFault: Bool = true) {
        guard var state = states[name] else { return }
        guard engineAtFault else {
            state.lastError = error
            state.lastUsed = Date()
            states[name] = state
            return
        }
        if state.status != .down {
            logger.warning("backend failed; skipping it until a probe passes", metadata: ["backend": "\(name)", "error": "\(error)"])
        }
        state.status = .down
        state.lastError = error
        state.lastUsed = Date()
        states[name] = state
    }

    /// Probes every backend now and then: a healthy one every `interval`, one that is down
    /// every `retry_interval`. Runs until cancelled.
    public func monitor() async {
        let tick = min(settings.retryInterval, settings.interval)
        while !Task.isCancelled && !stopped {
            let now = Date()
            for instance in registry.instances {
                guard let state = states[instance.name], !state.probing else { continue }
                let period = state.status == .ok ? settings.interval : settings.retryInterval
                if let checked = state.lastChecked, now.timeIntervalSince(checked) < period.seconds { continue }
                states[instance.name]?.probing = true
                Task { await self.probe(instance) }
            }
            try? await Task.sleep(for: tick)
        }
    }

    func stopMonitoring() {
        stopped = true
    }

    private func probe(_ instance: BackendRegistry.Instance) async {
        defer { states[instance.name]?.probing = false }
        guard !stopped else { return }
        // A launched engine that is not running is reported by its supervisor, not probed.
        if let supervisor = supervisors.supervisor(instance.name) {
            let snapshot = await supervisor.snapshot
            switch snapshot.phase {
            case .running: break
            case .idle, .starting:
                update(instance.name) {
                    $0.status = snapshot.phase == .idle ? .idle : .starting
                    $0.detail = snapshot.phase == .idle ? "starts on first use" : "starting (log: \(snapshot.logFile))"
                }
                return
            case .waitingToRestart, .stopped:
                update(instance.name) {
                    $0.status = .down
                    $0.detail = "not running"
                    $0.lastError = snapshot.lastFailure ?? $0.lastError
                }
                return
            }
        }
        let outcome = await BackendProbe.run(instance.probe, name: instance.name, timeout: settings.timeout)
        update(instance.name) { state in
            if outcome.healthy {
                if state.status == .down { logger.notice("backend is back", metadata: ["backend": "\(instance.name)"]) }
                state.status = .ok
                state.detail = outcome.detail
            } else {
                if state.status != .down {
                    logger.warning("backend probe failed", metadata: ["backend": "\(instance.name)", "error": "\(outcome.detail)"])
                }
                state.status = .down
                state.detail = "probe failed"
                state.lastError = outcome.detail
            }
            state.lastLatency = outcome.latency
        }
    }

    private func update(_ name: String, _ change: (inout State) -> Void) {
        guard var state = states[name] else { return }
        change(&state)
        state.lastChecked = Date()
        states[name] = state
    }

    /// `GET /api/backends`: every instance with plugin, kind, status, last error and latency.
    public func report() async -> JSONValue {
        var entries: [JSONValue] = []
        for instance in registry.instances {
            let state = states[instance.name] ?? State()
            var fields: [String: JSONValue] = [
                "name": .string(instance.name), "plugin": .string(instance.plugin),
                "kind": .string(instance.engine.kind.rawValue), "status": .string(state.status.rawValue),
                "detail": .string(state.detail),
                "last_error": state.lastError.map(JSONValue.string) ?? .null,
                "latency_ms": state.lastLatency.map { .number(Double($0.milliseconds)) } ?? .null,
                "last_checked": state.lastChecked.map { .number($0.timeIntervalSince1970) } ?? .null,
                "last_used": state.lastUsed.map { .number($0.timeIntervalSince1970) } ?? .null,
            ]
            if let supervisor = supervisors.supervisor(instance.name) {
                let snapshot = await supervisor.snapshot
                fields["launched"] = .object([
                    "state": .string(snapshot.phase.rawValue),
                    "pid": snapshot.pid.map { .number(Double($0)) } ?? .null,
                    "restarts": .number(Double(snapshot.restarts)),
                    "log": .string(snapshot.logFile),
                ])
            }
            entries.append(.object(fields))
        }
        return .array(entries)
    }

    /// True when some backend of the chain passed its last probe or call (or, launched by the
    /// hub, will be started when needed).
    func anyHealthy(_ backends: [String]) -> Bool {
        backends.contains { [.ok, .idle].contains(states[$0]?.status) }
    }
}
