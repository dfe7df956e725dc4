import Foundation
import Logging
import PluginAPI
import WireJSON

/// The executor of `BackendHealthMachine`: feeds it real calls' outcomes, the monitor's clock
/// and the probes' results, runs the probes it asks for and reports the states.
public actor BackendHealth {
    typealias Status = BackendHealthMachine.Status

    private var machine: BackendHealthMachine
    private let registry: BackendRegistry
    private let supervisors: EngineSupervisors
    private let settings: HealthSettings
    private let logger: Logger

    public init(registry: BackendRegistry, supervisors: EngineSupervisors, settings: HealthSettings, logger: Logger) {
        self.registry = registry
        self.supervisors = supervisors
        self.settings = settings
        self.logger = logger
        let names = registry.instances.map(\.name)
        machine = BackendHealthMachine(
            names: names, launched: Set(names.filter { supervisors.supervisor($0) != nil }),
            interval: settings.interval, retryInterval: settings.retryInterval)
    }

    func isUsable(_ name: String) -> Bool { machine.isUsable(name) }
    func anyHealthy(_ backends: [String]) -> Bool { machine.anyHealthy(backends) }

    func recordSuccess(_ name: String, latency: Duration) {
        perform(machine.handle(.callSucceeded(name, latency: latency), now: Date()))
    }

    /// `engineAtFault: false` (a request the engine refused): noted, but the engine stays in use.
    func recordFailure(_ name: String, error: String, engineAtFault: Bool = true) {
        perform(machine.handle(.callFailed(name, error: error, engineAtFault: engineAtFault), now: Date()))
    }

    /// Probes every backend when it is due. Runs until cancelled or stopped.
    public func monitor() async {
        let tick = min(settings.retryInterval, settings.interval)
        while !Task.isCancelled && !machine.stopped {
            perform(machine.handle(.tick, now: Date()))
            try? await Task.sleep(for: tick)
        }
    }

    func stopMonitoring() {
        perform(machine.handle(.stop, now: Date()))
    }

    private func perform(_ actions: [BackendHealthMachine.Action]) {
        for action in actions {
            switch action {
            case .runProbe(let name):
                guard let instance = registry.instance(named: name) else { continue }
                let timeout = settings.timeout
                Task {
                    let outcome = await BackendProbe.run(instance.probe, name: name, timeout: timeout)
                    await self.handle(.probed(name, outcome))
                }
            case .askSupervisor(let name):
                guard let supervisor = supervisors.supervisor(name) else { continue }
                Task {
                    let snapshot = await supervisor.snapshot
                    await self.handle(.launched(name, phase: snapshot.phase, logFile: snapshot.logFile, lastFailure: snapshot.lastFailure))
                }
            case .log(let level, let message, let backend):
                logger.log(level: level, "\(message)", metadata: ["backend": "\(backend)"])
            }
        }
    }

    private func handle(_ event: BackendHealthMachine.Event) {
        perform(machine.handle(event, now: Date()))
    }

    /// `GET /api/backends`: every instance with plugin, kind, status, last error and latency.
    public func report() async -> JSONValue {
        var entries: [JSONValue] = []
        for instance in registry.instances {
            let state = machine.states[instance.name] ?? .init()
            var fields: [String: JSONValue] = [
                "name": .string(instance.name), "plugin": .string(instance.plugin),
                "kind": .string(instance.engine.kind.rawValue), "status": .string(state.status.rawValue),
                "detail": .string(state.detail),
                "last_error": state.lastError.map(JSONValue.string) ?? .null,
                "latency_ms": state.lastLatency.map { .number(Double($0.milliseconds)) } ?? .null,
                "last_checked": state.lastChecked.map { .number($0.timeIntervalSince1970) } ?? .null,
                "last_used": state.lastUsed.map { .number($0.timeIntervalSince1970) } ?? .null,
            ]
            if let pool = instance.pool { fields["endpoints"] = pool.report() }
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
}
