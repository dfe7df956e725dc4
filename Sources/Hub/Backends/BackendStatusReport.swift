import PluginAPI

/// One probe of one backend instance, bounded by a timeout: the same check for `clawmux check`,
/// the hub's periodic health monitor and a launched engine's start-up.
public struct BackendProbe: Sendable {
    public struct Outcome: Sendable {
        public let healthy: Bool
        public let detail: String
        public let latency: Duration
    }

    public static func run(_ probe: any HealthProbe, name: String, timeout: Duration) async -> Outcome {
        let started = ContinuousClock.now
        let result: Result<String, any Error> = await withTaskGroup(of: Result<String, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await probe.probe()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .failure(SpeechError.timedOut(engine: name, after: timeout))
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .failure(CancellationError())
        }
        let latency = ContinuousClock.now - started
        switch result {
        case .success(let detail): return Outcome(healthy: true, detail: detail, latency: latency)
        case .failure(let error): return Outcome(healthy: false, detail: "\(error)", latency: latency)
        }
    }
}

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

extension Duration {
    /// Whole milliseconds, for reports.
    public var milliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
