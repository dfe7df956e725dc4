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
        try root.rejectUnknownKeys(allowed: ["server", "sessions", "backends", "voices", "stt", "limits"])
        var config = HubConfig(
            file: file,
            server: try root.optional("server").map(ServerSettings.init(node:)) ?? ServerSettings(),
            sessions: try root.optional("sessions").map(SessionSettings.init(node:)) ?? SessionSettings(),
            backends: try (root.optional("backends")?.entries() ?? []).map(BackendDeclaration.init(name:node:)),
            voices: try (root.optional("voices")?.entries() ?? []).map(VoiceRoute.init(id:node:)),
            stt: try SpeechToTextSettings(node: root.required("stt")),
            limits: try root.optional("limits").map(Limits.init(node:)) ?? Limits())
        config.referenceLocations = try Self.referenceLocations(in: root)
        guard !config.voices.isEmpty else {
            throw ConfigError(at: root.location.child("voices"), "at least one voice is needed")
        }
        try config.applyOriginalEnvironment(environment, at: root.location)
        return config
    }

    private static func referenceLocations(in root: ConfigNode) throws -> [String: ConfigLocation] {
        var locations: [String: ConfigLocation] = [:]
        for (id, voice) in try root.optional("voices")?.entries() ?? [] {
            if let backend = try voice.optional("backend") { locations["voices.\(id).backend"] = backend.location }
        }
        if let backend = try root.optional("stt")?.optional("backend") { locations["stt.backend"] = backend.location }
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
        try node.rejectUnknownKeys(allowed: ["host", "port", "static_dir"])
        if let host = try node.optional("host") { self.host = try host.stringValue() }
        if let port = try node.optional("port") { self.port = try port.intValue(in: 0...65535) }
        if let directory = try node.optional("static_dir") { self.staticDirectory = try directory.stringValue() }
    }
}

extension SessionSettings {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: [
            "spawner", "command", "startup_input", "work_root", "idle_timeout", "max_sessions",
            "ready_timeout", "prompts", "allow_bridges_without_token",
        ])
        if let spawner = try node.optional("spawner") { self.spawner = try spawner.stringValue() }
        if let command = try node.optional("command") {
            self.command = try command.stringList()
            guard !self.command.isEmpty, !self.command[0].isEmpty else {
                throw ConfigError(at: command.location, "expected the agent command as a non-empty list, e.g. [claude, --mcp-config, \"{mcp_config}\"]")
            }
        }
        if let input = try node.optional("startup_input") {
            let text = try input.stringValue()
            self.startupInput = text.isEmpty ? nil : text
        } else if try node.entries().contains(where: { $0.key == "startup_input" }) {
            self.startupInput = nil
        }
        if let root = try node.optional("work_root") {
            self.workRoot = try root.stringValue()
            guard workRoot.hasPrefix("/") else { throw ConfigError(at: root.location, "expected an absolute path") }
        }
        if let timeout = try node.optional("idle_timeout") { self.idleTimeout = try timeout.durationValue() }
        if let maximum = try node.optional("max_sessions") { self.maxSessions = try maximum.intValue(in: 1...1000) }
        if let timeout = try node.optional("ready_timeout") { self.readyTimeout = try timeout.durationValue() }
        if let prompts = try node.optional("prompts") { self.prompts = try prompts.items().map(PromptAnswer.init(node:)) }
        if let allow = try node.optional("allow_bridges_without_token") { self.allowBridgesWithoutToken = try allow.boolValue() }
    }
}

extension PromptAnswer {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["match", "answer", "enter"])
        let match = try node.required("match")
        self.match = try match.stringValue()
        guard !self.match.isEmpty else { throw ConfigError(at: match.location, "expected text to look for") }
        self.answer = try node.optional("answer")?.stringValue() ?? ""
        self.pressEnter = try node.optional("enter")?.boolValue() ?? true
    }
}

extension BackendDeclaration {
    init(name: String, node: ConfigNode) throws {
        let plugin = try node.required("plugin")
        self.name = name
        self.plugin = try plugin.stringValue()
        self.pluginLocation = plugin.location
        // The plugin sees its own options only.
        let options = try node.entries().filter { $0.key != "plugin" }
        self.options = ConfigNode(.mapping(options), at: node.location)
    }
}

extension VoiceRoute {
    init(id: String, node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["backend", "voice", "label"])
        guard VoiceRoute.isValidID(id) else {
            throw ConfigError(at: node.location, "voice ids may use letters, digits, '_', '-' and '.' (at most 64)")
        }
        self.id = id
        self.backend = try node.required("backend").stringValue()
        self.engineVoice = try node.optional("voice")?.stringValue() ?? id
        self.label = try node.optional("label")?.stringValue() ?? id
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.".unicodeScalars.contains($0) }
    }
}

extension SpeechToTextSettings {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["backend", "language"])
        self.backend = try node.required("backend").stringValue()
        self.language = try node.optional("language")?.stringValue()
    }
}

extension Limits {
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["max_speech_characters", "max_recording_bytes"])
        if let characters = try node.optional("max_speech_characters") {
            self.maxSpeechCharacters = try characters.intValue(in: 1...1_000_000)
        }
        if let bytes = try node.optional("max_recording_bytes") {
            self.maxRecordingBytes = try bytes.intValue(in: 1024...(512 << 20))
        }
    }
}
