import PluginAPI

/// Probes every backend instance at once (`clawmux check`).
public struct BackendStatusReport: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let plugin: String
        public let kind: PluginKind
        public let launched: Bool
        public let outcome: BackendProbe.Outcome
    }

    let registry: BackendRegistry
    let timeout: Duration

    public init(registry: BackendRegistry, timeout: Duration = .seconds(10)) {
        self.registry = registry
        self.timeout = timeout
    }

    /// Results come back in config order.
    public func probeAll() async -> [Entry] {
        await withTaskGroup(of: (Int, Entry).self) { group in
            for (index, instance) in registry.instances.enumerated() {
                group.addTask {
                    let outcome = await BackendProbe.run(instance.probe, name: instance.name, timeout: timeout)
                    return (index, Entry(name: instance.name, plugin: instance.plugin, kind: instance.engine.kind,
                                         launched: instance.launch != nil, outcome: outcome))
                }
            }
            var entries: [(Int, Entry)] = []
            for await entry in group { entries.append(entry) }
            return entries.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
