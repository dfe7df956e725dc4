import Logging
import PluginAPI

/// The supervisors of every engine the config says the hub launches, by backend name.
public struct EngineSupervisors: Sendable {
    let byName: [String: EngineSupervisor]

    public init(registry: BackendRegistry, stateDirectory: String, logger: Logger) {
        var byName: [String: EngineSupervisor] = [:]
        for instance in registry.instances {
            guard let launch = instance.launch else { continue }
            byName[instance.name] = EngineSupervisor(
                name: instance.name, spec: launch, probe: instance.probe, stateDirectory: stateDirectory, logger: logger)
        }
        self.byName = byName
    }

    /// Starts the engines marked `start: startup` (the others start when first used).
    public func startAtStartup(_ registry: BackendRegistry) async {
        for instance in registry.instances where instance.launch?.start == .startup {
            await byName[instance.name]?.start()
        }
    }

    /// Returns once `backend` answers, starting it if the hub launches it; at once for others.
    func ensureRunning(_ backend: String) async throws {
        try await byName[backend]?.ensureRunning()
    }

    func supervisor(_ backend: String) -> EngineSupervisor? {
        byName[backend]
    }

    public func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for supervisor in byName.values {
                group.addTask { await supervisor.stop() }
            }
        }
    }
}
