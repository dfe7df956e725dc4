import Foundation
import PluginAPI

extension HubConfig {
    /// Reads, expands and validates `path`. Every problem is a `ConfigError` naming file, line and key.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HubConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, column: 0, keyPath: "", message: "cannot read the config file")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: path, environment: environment)
    }

    public static func parse(yaml: String, file: String, environment: [String: String]) throws -> HubConfig {
        let root = try YAMLConfigReader(file: file, expansion: EnvironmentExpansion(environment: environment)).read(yaml)
        try root.rejectUnknownKeys(allowed: ["server", "sessions", "agents", "projects", "hosts", "backends", "voices", "stt", "limits", "health"])
        let baseDirectory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var config = HubConfig(
            file: file,
            server: try root.optional("server").map(ServerSettings.init(node:)) ?? ServerSettings(),
            sessions: try root.optional("sessions").map(SessionSettings.init(node:)) ?? SessionSettings(),
            backends: try (root.optional("backends")?.entries() ?? []).map {
                try BackendDeclaration(name: $0.key, node: $0.value, baseDirectory: baseDirectory)
            },
            voices: try (root.optional("voices")?.entries() ?? []).map(VoiceRoute.init(id:node:)),
            stt: try SpeechToTextSettings(node: root.required("stt")),
            limits: try root.optional("limits").map(Limits.init(node:)) ?? Limits(),
            health: try root.optional("health").map(HealthSettings.init(node:)) ?? HealthSettings())
        config.referenceLocations = try Self.referenceLocations(in: root)
        config.agents = try AgentProfile.profiles(agents: root.optional("agents"), sessions: root.optional("sessions"))
        if let agent = try root.optional("sessions")?.optional("agent") {
            config.sessions.agent = try agent.stringValue()
            guard config.agents.contains(where: { $0.id == config.sessions.agent }) else {
                throw ConfigError(at: agent.location, "unknown agent '\(config.sessions.agent)' (agents: \(config.agents.map(\.id).joined(separator: ", ")))")
            }
        } else if config.agents.contains(where: { $0.id == AgentProfile.legacyID }) {
            // A config that still names its agent in `sessions.command` means that one.
            config.sessions.agent = AgentProfile.legacyID
        }
        config.hosts = try (root.optional("hosts")?.entries() ?? []).map {
            try SSHHost(name: $0.key, node: $0.value, baseDirectory: baseDirectory)
        }
        if let projects = try root.optional("projects") {
            for item in try projects.items() {
                let path = ProjectFolder.expandingHome(try item.stringValue(), environment: environment)
                guard path.hasPrefix("/") else { throw ConfigError(at: item.location, "expected an absolute path (or ~/...)") }
                config.projects.append(path)
            }
        }
        guard !config.voices.isEmpty else {
            throw ConfigError(at: root.location.child("voices"), "at least one voice is needed")
        }
        // Like every other relative path in the config: from the config file's directory.
        if !config.server.staticDirectory.hasPrefix("/") {
            config.server.staticDirectory = URL(fileURLWithPath: baseDirectory).appendingPathComponent(config.server.staticDirectory).path
        }
        try config.applyOriginalEnvironment(environment, at: root.location)
        if config.server.auth == .none, let tls = config.server.tls, !ServerSettings(host: tls.host).isLoopback {
            throw ConfigError(at: root.location.child("server.tls.host"),
                              "auth: none is only allowed on loopback; the TLS listener is on \(tls.host)")
        }
        if config.server.auth == .none && !config.server.isLoopback {
            throw ConfigError(at: root.location.child("server.auth"),
                              "auth: none is only allowed while the hub listens on loopback (host is \(config.server.host)); whoever reaches the hub can run commands as you")
        }
        return config
    }

    /// Keys are `voices.<id>.chain[<n>]` (or `.backend`), `voices.<id>.stt[<n>]`, `stt.chain[<n>]`
    /// (or `stt.backend`) and `sessions.spawner`.
    private static func referenceLocations(in root: ConfigNode) throws -> [String: ConfigLocation] {
        var locations: [String: ConfigLocation] = [:]
        func record(_ node: ConfigNode?, as key: String) throws {
            guard let node else { return }
            if case .sequence(let items) = node.value {
                for (index, item) in items.enumerated() {
                    locations["\(key)[\(index)]"] = (try? item.optional("backend"))??.location ?? item.location
                }
            } else {
                locations["\(key)[0]"] = node.location
            }
        }
        for (id, voice) in try root.optional("voices")?.entries() ?? [] {
            try record(try voice.optional("chain") ?? voice.optional("backend"), as: "voices.\(id).chain")
            try record(try voice.optional("stt"), as: "voices.\(id).stt")
        }
        if let stt = try root.optional("stt") {
            try record(try stt.optional("chain") ?? stt.optional("backend"), as: "stt.chain")
        }
        if let spawner = try root.optional("sessions")?.optional("spawner") { locations["sessions.spawner"] = spawner.location }
        return locations
    }

    /// The original hub's variables still work and win over the file, as they did there.
    mutating func applyOriginalEnvironment(_ environment: [String: String], at location: ConfigLocation) throws {
        if let port = environment["VOICE_CHAT_HUB_PORT"], !port.isEmpty {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw ConfigError(at: location.child("VOICE_CHAT_HUB_PORT"), "expected a port number, found \"\(port)\"")
            }
            server.port = number
        }
        if let minutes = environment["VOICE_CHAT_TIMEOUT"], !minutes.isEmpty {
            guard let number = Double(minutes), number > 0, number <= 366 * 24 * 60 else {
                throw ConfigError(at: location.child("VOICE_CHAT_TIMEOUT"), "expected minutes, found \"\(minutes)\"")
            }
            sessions.idleTimeout = .milliseconds(Int64(number * 60_000))
        }
    }
}

extension ServerSettings {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["host", "port", "static_dir", "state_dir", "auth", "token", "allowed_origins", "tls"])
        if let host = try node.optional("host") { self.host = try host.stringValue() }
        if let auth = try node.optional("auth") {
            guard let mode = AuthMode(rawValue: try auth.stringValue()) else {
                throw ConfigError(at: auth.location, "expected 'token' or 'none'")
            }
            self.auth = mode
        }
        if let token = try node.optional("token") {
            let text = try token.stringValue()
            // Empty (an unset ${CLAWMUX_TOKEN:-}) means: generate one.
            if !text.isEmpty {
                guard text.count >= 16, text.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ";" && $0 != "," }) else {
                    throw ConfigError(at: token.location, "expected at least 16 printable characters without spaces, ';' or ','")
                }
                self.token = text
            }
        }
        if let origins = try node.optional("allowed_origins") {
            self.allowedOrigins = try origins.stringList()
            for origin in allowedOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
                throw ConfigError(at: origins.location, "expected origins like https://phone.local:3460 (scheme, host, port; no path), found \"\(origin)\"")
            }
        }
        if let tls = try node.optional("tls") {
            try tls.rejectUnknownKeys(allowed: ["cert", "key", "host", "port"])
            let base = URL(fileURLWithPath: tls.location.file).deletingLastPathComponent()
            func path(_ key: String) throws -> String {
                let value = try tls.required(key).stringValue()
                return value.hasPrefix("/") ? value : base.appendingPathComponent(value).path
            }
            self.tls = TLSSettings(
                certificate: try path("cert"), key: try path("key"),
                host: try tls.optional("host")?.stringValue() ?? host,
                port: try tls.required("port").intValue(in: 0...65535))
        }
        if let state = try node.optional("state_dir") {
            self.stateDirectory = try state.stringValue()
            guard stateDirectory.hasPrefix("/") else { throw ConfigError(at: state.location, "expected an absolute path") }
        }
        if let port = try node.optional("port") { self.port = try port.intValue(in: 0...65535) }
        if let directory = try node.optional("static_dir") { self.staticDirectory = try directory.stringValue() }
    }
}

extension SessionSettings {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: [
            "spawner", "agent", "command", "startup_input", "work_root", "idle_timeout", "no_listener_timeout", "permission_timeout", "max_sessions",
            "ready_timeout", "prompts", "allow_bridges_without_token",
        ])
        if let spawner = try node.optional("spawner") { self.spawner = try spawner.stringValue() }
        if let root = try node.optional("work_root") {
            self.workRoot = try root.stringValue()
            guard workRoot.hasPrefix("/") else { throw ConfigError(at: root.location, "expected an absolute path") }
        }
        if let timeout = try node.optional("idle_timeout") { self.idleTimeout = try timeout.durationValue() }
        if let timeout = try node.optional("no_listener_timeout") { self.noListenerTimeout = try timeout.durationValue() }
        if let timeout = try node.optional("permission_timeout") {
            self.permissionTimeout = try timeout.durationValue()
            guard permissionTimeout >= .seconds(5), permissionTimeout <= .seconds(3600) else {
                throw ConfigError(at: timeout.location, "permission_timeout must be between 5s and 1h")
            }
        }
        if let maximum = try node.optional("max_sessions") { self.maxSessions = try maximum.intValue(in: 1...1000) }
        if let timeout = try node.optional("ready_timeout") { self.readyTimeout = try timeout.durationValue() }
        if let allow = try node.optional("allow_bridges_without_token") { self.allowBridgesWithoutToken = try allow.boolValue() }
    }
}

extension BackendDeclaration {
    init(name: String, node: ConfigNode, baseDirectory: String) throws {
        let plugin = try node.required("plugin")
        self.name = name
        self.plugin = try plugin.stringValue()
        self.pluginLocation = plugin.location
        self.launch = try node.optional("launch").map { try LaunchSpec(node: $0, baseDirectory: baseDirectory) }
        // The plugin sees its own options only.
        let options = try node.entries().filter { $0.key != "plugin" && $0.key != "launch" }
        self.options = ConfigNode(.mapping(options), at: node.location)
    }
}

extension VoiceRoute {
    /// `{backend: kokoro, voice: af_sky}` (one engine) or `{chain: [{backend: kokoro, voice: af_sky}, piper]}`;
    /// a link's voice defaults to the voice id.
    init(id: String, node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["backend", "voice", "label", "chain", "stt", "language"])
        guard VoiceRoute.isValidID(id) else {
            throw ConfigError(at: node.location, "voice ids may use letters, digits, '_', '-' and '.' (at most 64)")
        }
        self.id = id
        self.label = try node.optional("label")?.stringValue() ?? id
        if let chain = try node.optional("chain") {
            if try node.optional("backend") != nil {
                throw ConfigError(at: chain.location, "give either 'backend' or 'chain', not both")
            }
            self.links = try chain.items().map { try SpeechLink(node: $0, defaultVoice: id) }
            guard !links.isEmpty else { throw ConfigError(at: chain.location, "expected at least one backend in the chain") }
        } else if let backend = try node.optional("backend") {
            self.links = [SpeechLink(backend: try backend.stringValue(), engineVoice: try node.optional("voice")?.stringValue() ?? id)]
        } else {
            throw ConfigError(at: node.location, "missing required key 'chain' (or 'backend')")
        }
        self.sttChain = try node.optional("stt").map(SpeechToTextSettings.chain(from:))
        self.language = try node.optional("language")?.stringValue()
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.".unicodeScalars.contains($0) }
    }
}

extension SpeechLink {
    /// `kokoro` or `{backend: kokoro, voice: af_sky}`.
    init(node: ConfigNode, defaultVoice: String) throws {
        if case .scalar = node.value {
            self.init(backend: try node.stringValue(), engineVoice: defaultVoice)
            return
        }
        try node.rejectUnknownKeys(allowed: ["backend", "voice"])
        self.init(backend: try node.required("backend").stringValue(),
                  engineVoice: try node.optional("voice")?.stringValue() ?? defaultVoice)
    }
}

extension SpeechToTextSettings {
    /// `{backend: whisper}` or `{chain: [whisper, local-whisper]}`, plus an optional language.
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["backend", "chain", "language"])
        if let chain = try node.optional("chain") {
            if try node.optional("backend") != nil {
                throw ConfigError(at: chain.location, "give either 'backend' or 'chain', not both")
            }
            self.chain = try Self.chain(from: chain)
        } else {
            self.chain = [try node.required("backend").stringValue()]
        }
        self.language = try node.optional("language")?.stringValue()
    }

    /// One backend name or a list of them.
    static func chain(from node: ConfigNode) throws -> [String] {
        if case .scalar = node.value { return [try node.stringValue()] }
        let names = try node.stringList()
        guard !names.isEmpty else { throw ConfigError(at: node.location, "expected at least one STT backend") }
        return names
    }
}

extension HealthSettings {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["interval", "retry_interval", "timeout"])
        func atLeast100ms(_ key: String) throws -> Duration? {
            guard let value = try node.optional(key) else { return nil }
            let duration = try value.durationValue()
            guard duration >= .milliseconds(100) else { throw ConfigError(at: value.location, "expected at least 100ms") }
            return duration
        }
        if let interval = try atLeast100ms("interval") { self.interval = interval }
        if let retry = try atLeast100ms("retry_interval") { self.retryInterval = retry }
        if let timeout = try atLeast100ms("timeout") { self.timeout = timeout }
    }
}

extension LaunchSpec {
    init(node: ConfigNode, baseDirectory: String) throws {
        try node.rejectUnknownKeys(allowed: ["argv", "env", "health", "port", "start", "start_timeout", "log"])
        let argv = try node.required("argv")
        self.argv = try argv.stringList()
        guard !self.argv.isEmpty, !self.argv[0].isEmpty else {
            throw ConfigError(at: argv.location, "expected the engine's command as a non-empty list")
        }
        self.environment = [:]
        for (key, value) in try node.optional("env")?.entries() ?? [] {
            environment[key] = try value.stringValue()
        }
        let health = try node.optional("health")
        let port = try node.optional("port")
        switch (health, port) {
        case (let health?, nil): self.health = .url(try health.httpURLValue())
        case (nil, let port?): self.health = .port(try port.intValue(in: 1...65535))
        case (nil, nil): self.health = .probe
        case (_?, let port?): throw ConfigError(at: port.location, "give either 'health' (a URL) or 'port', not both")
        }
        if let start = try node.optional("start") {
            guard let value = Start(rawValue: try start.stringValue()) else {
                throw ConfigError(at: start.location, "expected 'startup' or 'first_use'")
            }
            self.start = value
        } else {
            self.start = .startup
        }
        self.startTimeout = try node.optional("start_timeout")?.durationValue() ?? .seconds(120)
        self.logFile = try node.optional("log")?.stringValue()
        self.baseDirectory = baseDirectory
    }
}

extension Limits {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["max_speech_characters", "max_recording_bytes", "max_browser_backlog_bytes"])
        if let characters = try node.optional("max_speech_characters") {
            self.maxSpeechCharacters = try characters.intValue(in: 1...1_000_000)
        }
        if let bytes = try node.optional("max_recording_bytes") {
            self.maxRecordingBytes = try bytes.intValue(in: 1024...(512 << 20))
        }
        if let backlog = try node.optional("max_browser_backlog_bytes") {
            self.maxBrowserBacklogBytes = try backlog.intValue(in: 4096...(4 << 30))
        }
    }
}
