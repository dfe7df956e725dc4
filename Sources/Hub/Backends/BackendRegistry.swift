import Foundation
import Logging
import PluginAPI

/// The backend instances of one config, built from the plugin table the executable passes in.
/// The hub knows plugins only through this table: it never imports a concrete one.
public struct BackendRegistry: Sendable {
    public struct Instance: Sendable {
        public let name: String
        public let plugin: String
        public let engine: PluginInstance
        /// Set when the hub starts this engine itself.
        public let launch: LaunchSpec?
        /// Set for a backend of several endpoints (`urls:` / `uris:`).
        let pool: EndpointPool?

        /// Every instance can say whether it is there and answering.
        public var probe: any HealthProbe {
            switch engine {
            case .tts(let engine): engine
            case .stt(let engine): engine
            case .spawner(let spawner): spawner
            }
        }
    }

    public let instances: [Instance]

    /// Builds every declared instance and checks that each reference points to one of the right kind.
    public init(config: HubConfig, plugins: [PluginDescriptor], logger: Logger) throws {
        var built: [Instance] = []
        let baseDirectory = URL(fileURLWithPath: config.file).deletingLastPathComponent().path
        for declaration in config.backends {
            guard let plugin = plugins.first(where: { $0.name == declaration.plugin }) else {
                let known = plugins.map(\.name).joined(separator: ", ")
                throw ConfigError(at: declaration.pluginLocation, "unknown plugin '\(declaration.plugin)' (known plugins: \(known))")
            }
            var pluginLogger = logger
            pluginLogger[metadataKey: "backend"] = "\(declaration.name)"
            let context = PluginContext(instanceName: declaration.name, logger: pluginLogger, baseDirectory: baseDirectory)
            if let endpoints = try EndpointList.parse(declaration.options) {
                built.append(try Self.pooled(declaration, endpoints, plugin: plugin, context: context))
                continue
            }
            let engine = try plugin.make(declaration.options, context)
            if declaration.launch != nil, engine.kind == .spawner {
                throw ConfigError(at: declaration.pluginLocation, "'launch' is for speech engines, not spawners")
            }
            built.append(Instance(name: declaration.name, plugin: plugin.name, engine: engine, launch: declaration.launch, pool: nil))
        }
        // A spawner named by plugin needs no declaration: `spawner: pty` just works.
        let spawnerName = config.sessions.spawner
        if !built.contains(where: { $0.name == spawnerName }),
           let plugin = plugins.first(where: { $0.name == spawnerName && $0.kind == .spawner }) {
            let options = ConfigNode.emptyMapping(at: ConfigLocation(file: config.file, line: 0, column: 0, keyPath: "sessions.spawner"))
            built.append(Instance(name: spawnerName, plugin: plugin.name,
                                  engine: try plugin.make(options, PluginContext(instanceName: spawnerName, logger: logger)),
                                  launch: nil, pool: nil))
        }
        self.instances = built
        try validateReferences(config)
    }

    /// One engine instance per endpoint, used as one backend.
    private static func pooled(_ declaration: BackendDeclaration, _ endpoints: EndpointList, plugin: PluginDescriptor,
                               context: PluginContext) throws -> Instance {
        guard declaration.launch == nil else {
            throw ConfigError(at: declaration.pluginLocation, "'launch' starts one engine: it cannot have several endpoints")
        }
        let engines = try endpoints.options.map { try plugin.make($0, context) }
        let pool = EndpointPool(name: declaration.name, addresses: endpoints.addresses)
        let tts = engines.compactMap { if case .tts(let engine) = $0 { engine } else { nil } }
        let stt = engines.compactMap { if case .stt(let engine) = $0 { engine } else { nil } }
        let engine: PluginInstance
        if tts.count == engines.count {
            engine = .tts(PooledTTSEngine(pool: pool, engines: tts))
        } else if stt.count == engines.count {
            engine = .stt(PooledSTTEngine(pool: pool, engines: stt))
        } else {
            throw ConfigError(at: declaration.pluginLocation, "several endpoints are for speech engines, not spawners")
        }
        return Instance(name: declaration.name, plugin: plugin.name, engine: engine, launch: nil, pool: pool)
    }

    /// Lets engines with subprocesses of their own (Piper) end them.
    public func shutdownEngines() async {
        await withTaskGroup(of: Void.self) { group in
            for instance in instances {
                let backend = instance.probe
                group.addTask { await backend.shutdown() }
            }
        }
    }

    public func instance(named name: String) -> Instance? {
        instances.first { $0.name == name }
    }

    public func tts(_ name: String) -> (any TTSEngine)? {
        if case .tts(let engine) = instance(named: name)?.engine { return engine }
        return nil
    }

    public func stt(_ name: String) -> (any STTEngine)? {
        if case .stt(let engine) = instance(named: name)?.engine { return engine }
        return nil
    }

    public func spawner(_ name: String) -> (any Spawner)? {
        if case .spawner(let spawner) = instance(named: name)?.engine { return spawner }
        return nil
    }

    /// The spawner for sessions on hosts: `preferred` when it reaches hosts, else the first
    /// declared one that does.
    public func hostSpawner(preferring preferred: String) -> (name: String, spawner: any Spawner)? {
        if let spawner = spawner(preferred), spawner.reachesHosts { return (preferred, spawner) }
        for instance in instances {
            if case .spawner(let spawner) = instance.engine, spawner.reachesHosts { return (instance.name, spawner) }
        }
        return nil
    }

    private func validateReferences(_ config: HubConfig) throws {
        func location(_ keyPath: String) -> ConfigLocation {
            config.referenceLocations[keyPath] ?? ConfigLocation(file: config.file, line: 1, column: 1, keyPath: keyPath)
        }
        for voice in config.voices {
            for (index, link) in voice.links.enumerated() where tts(link.backend) == nil {
                throw ConfigError(at: location("voices.\(voice.id).chain[\(index)]"),
                                  "'\(link.backend)' is not a TTS backend (TTS backends: \(names(of: .tts)))")
            }
            for (index, name) in (voice.sttChain ?? []).enumerated() where stt(name) == nil {
                throw ConfigError(at: location("voices.\(voice.id).stt[\(index)]"),
                                  "'\(name)' is not an STT backend (STT backends: \(names(of: .stt)))")
            }
        }
        for (index, name) in config.stt.chain.enumerated() where stt(name) == nil {
            throw ConfigError(at: location("stt.chain[\(index)]"),
                              "'\(name)' is not an STT backend (STT backends: \(names(of: .stt)))")
        }
        if spawner(config.sessions.spawner) == nil {
            throw ConfigError(at: location("sessions.spawner"),
                              "'\(config.sessions.spawner)' is not a spawner (spawners: \(names(of: .spawner)))")
        }
    }

    private func names(of kind: PluginKind) -> String {
        let names = instances.filter { $0.engine.kind == kind }.map(\.name)
        return names.isEmpty ? "none declared" : names.joined(separator: ", ")
    }
}
