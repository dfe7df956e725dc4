import PluginAPI

/// Probes every backend instance: the same check for `clawmux check` and `GET /api/backends`.
public struct BackendStatusReport: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let plugin: String
        public let kind: PluginKind
        public let healthy: Bool
        public let detail: String
        public let latency: Duration

        var json: JSONValue {
            .object([
                "name": .string(name), "plugin": .string(plugin), "kind": .string(kind.rawValue),
                "status": .string(healthy ? "ok" : "down"), "detail": .string(detail),
                "latency_ms": .number((Double(latency.components.attoseconds) / 1e15 + Double(latency.components.seconds) * 1000).rounded()),
            ])
        }
    }

    let registry: BackendRegistry
    let timeout: Duration

    public init(registry: BackendRegistry, timeout: Duration = .seconds(10)) {
        self.registry = registry
        self.timeout = timeout
    }

    /// All probes run at once; results come back in config order.
    public func probeAll() async -> [Entry] {
        await withTaskGroup(of: (Int, Entry).self) { group in
            for (index, instance) in registry.instances.enumerated() {
                group.addTask { (index, await probe(instance)) }
            }
            var entries: [(Int, Entry)] = []
            for await entry in group { entries.append(entry) }
            return entries.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    private func probe(_ instance: BackendRegistry.Instance) async -> Entry {
        let probe: any HealthProbe = switch instance.engine {
        case .tts(let engine): engine
        case .stt(let engine): engine
        case .spawner(let spawner): spawner
        }
        let started = ContinuousClock.now
        let limit = timeout
        let outcome: Result<String, any Error> = await withTaskGroup(of: Result<String, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await probe.probe()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return Task.isCancelled ? nil : .failure(SpeechError.timedOut(engine: instance.name, after: limit))
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .failure(CancellationError())
        }
        let latency = ContinuousClock.now - started
        switch outcome {
        case .success(let detail):
            return Entry(name: instance.name, plugin: instance.plugin, kind: instance.engine.kind, healthy: true, detail: detail, latency: latency)
        case .failure(let error):
            return Entry(name: instance.name, plugin: instance.plugin, kind: instance.engine.kind, healthy: false, detail: "\(error)", latency: latency)
        }
    }
}
