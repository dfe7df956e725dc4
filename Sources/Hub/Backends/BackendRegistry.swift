import Logging
import PluginAPI

/// The backend instances of one config, built from the plugin table the executable passes in.
/// The hub knows plugins only through this table: it never imports a concrete one.
public struct BackendRegistry: Sendable {
    public struct Instance: Sendable {
        public let name: String
        public let plugin: String
        public let engine: PluginInstance
    }

    public let instances: [Instance]

    /// Builds every declared instance and checks that each reference points to one of the right kind.
    public init(config: HubConfig, plugins: [PluginDescriptor], logger: Logger) throws {
        var built: [Instance] = []
        for declaration in config.backends {
            guard let plugin = plugins.first(where: { $0.name == declaration.plugin }) else {
                let known = plugins.map(\.name).joined(separator: ", ")
                throw ConfigError(at: declaration.pluginLocation, "unknown plugin '\(declaration.plugin)' (known plugins: \(known))")
            }
            var pluginLogger = logger
            pluginLogger[metadataKey: "backend"] = "\(declaration.name)"
            let context = PluginContext(instanceName: declaration.name, logger: pluginLogger)
            built.append(Instance(name: declaration.name, plugin: plugin.name, engine: try plugin.make(declaration.options, context)))
        }
        // A spawner named by plugin needs no declaration: `spawner: pty` just works.
        let spawnerName = config.sessions.spawner
        if !built.contains(where: { $0.name == spawnerName }),
           let plugin = plugins.first(where: { $0.name == spawnerName && $0.kind == .spawner }) {
            let options = ConfigNode.emptyMapping(at: ConfigLocation(file: config.file, line: 0, column: 0, keyPath: "sessions.spawner"))
            built.append(Instance(name: spawnerName, plugin: plugin.name,
                                  engine: try plugin.make(options, PluginContext(instanceName: spawnerName, logger: logger))))
        }
        self.instances = built
        try validateReferences(config)
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

    private func validateReferences(_ config: HubConfig) throws {
        func location(_ keyPath: String) -> ConfigLocation {
            config.referenceLocations[keyPath] ?? ConfigLocation(file: config.file, line: 1, column: 1, keyPath: keyPath)
        }
        for voice in config.voices where tts(voice.backend) == nil {
            throw ConfigError(at: location("voices.\(voice.id).backend"),
                              "'\(voice.backend)' is not a TTS backend (TTS backends: \(names(of: .tts)))")
        }
        if stt(config.stt.backend) == nil {
            throw ConfigError(at: location("stt.backend"),
                              "'\(config.stt.backend)' is not an STT backend (STT backends: \(names(of: .stt)))")
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
