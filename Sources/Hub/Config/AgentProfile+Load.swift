import PluginAPI

extension AgentProfile {
    /// One entry of `agents:`. Keys left out keep the built-in profile's value when `id` names
    /// one (so `agents: {claude: {env: {IS_SANDBOX: "1"}}}` changes only the environment).
    init(id: String, node: ConfigNode, base: AgentProfile?) throws {
        try node.rejectUnknownKeys(allowed: ["label", "command", "mcp", "env", "startup_input", "dialogs", "speak_replies"])
        guard AgentProfile.isValidID(id) else {
            throw ConfigError(at: node.location, "agent ids may use a-z, 0-9, '-' and '_' (at most 32)")
        }
        self.init(id: id, label: base?.label ?? id, command: base?.command ?? [], mcp: base?.mcp ?? .configFile,
                  environment: base?.environment ?? [:], startupInput: base?.startupInput, dialogs: base?.dialogs ?? [],
                  speakReplies: base?.speakReplies ?? .off)
        if let label = try node.optional("label") { self.label = try label.stringValue() }
        if let command = try node.optional("command") {
            self.command = try Self.command(command)
        } else if base == nil {
            throw ConfigError(at: node.location, "missing required key 'command' (the agent's argv, e.g. [claude, --mcp-config, \"{mcp_config}\"])")
        }
        if let mcp = try node.optional("mcp") {
            let text = try mcp.stringValue()
            guard let handoff = MCPHandoff(rawValue: text) else {
                throw ConfigError(at: mcp.location, "expected 'config_file' (a {mcp_config} file) or 'codex' (-c mcp_servers overrides), found \"\(text)\"")
            }
            self.mcp = handoff
        }
        // Added to the built-in's (whose CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS a user adding
        // IS_SANDBOX must not lose); an empty value removes a variable.
        if let environment = try node.optional("env") {
            for (key, value) in try environment.entries() {
                let text = try value.stringValue()
                self.environment[key] = text.isEmpty ? nil : text
            }
        }
        if let input = try node.optional("startup_input") {
            let text = try input.stringValue()
            self.startupInput = text.isEmpty ? nil : text
        } else if try node.entries().contains(where: { $0.key == "startup_input" }) {
            self.startupInput = nil
        }
        if let dialogs = try node.optional("dialogs") { self.dialogs = try dialogs.items().map(DialogAnswer.init(node:)) }
        if let speak = try node.optional("speak_replies") {
            let text = try speak.stringValue()
            guard let mode = SpeakReplies(rawValue: text) else {
                throw ConfigError(at: speak.location, "expected full, brief or off, found \"\(text)\"")
            }
            self.speakReplies = mode
        }
    }

    static func command(_ node: ConfigNode) throws -> [String] {
        let command = try node.stringList()
        guard !command.isEmpty, !command[0].isEmpty else {
            throw ConfigError(at: node.location, "expected the agent command as a non-empty list, e.g. [claude, --mcp-config, \"{mcp_config}\"]")
        }
        return command
    }

    /// `agents:` over the built-in profiles; `sessions.command` (and its `startup_input` and
    /// `prompts`), as configs before agent profiles wrote it, is the profile `default`.
    static func profiles(agents: ConfigNode?, sessions: ConfigNode?) throws -> [AgentProfile] {
        var profiles = AgentProfile.builtIn
        for (id, node) in try agents?.entries() ?? [] {
            let base = profiles.first { $0.id == id }
            let profile = try AgentProfile(id: id, node: node, base: base)
            if let index = profiles.firstIndex(where: { $0.id == id }) { profiles[index] = profile } else { profiles.append(profile) }
        }
        if let legacy = try AgentProfile.legacy(sessions: sessions) {
            profiles.removeAll { $0.id == legacy.id }
            profiles.insert(legacy, at: 0)
        }
        return profiles
    }

    /// The profile `sessions.command` (with `startup_input` and `prompts`) makes.
    static let legacyID = "default"

    private static func legacy(sessions: ConfigNode?) throws -> AgentProfile? {
        guard let sessions else { return nil }
        let keys = Set(try sessions.entries().map(\.key))
        guard !keys.isDisjoint(with: ["command", "startup_input", "prompts"]) else { return nil }
        var profile = AgentProfile.claude
        profile.id = legacyID
        profile.label = "Agent (sessions.command)"
        if let node = try sessions.optional("command") { profile.command = try AgentProfile.command(node) }
        if keys.contains("startup_input") {
            let text = try sessions.optional("startup_input")?.stringValue() ?? ""
            profile.startupInput = text.isEmpty ? nil : text
        }
        // After Claude Code's own answers, which win where both match: the old shipped
        // `answer: ""` for the trust question is a bare Enter, which now selects "No, exit".
        if let prompts = try sessions.optional("prompts") { profile.dialogs += try prompts.items().map(DialogAnswer.init(node:)) }
        return profile
    }
}

extension DialogAnswer {
    /// `{match, select}`, `{match, keys: [Down, Enter]}` or, as before, `{match, answer, enter}`
    /// (text, then Enter unless `enter: false`).
    init(node: ConfigNode) throws {
        try node.rejectUnknownKeys(allowed: ["match", "select", "keys", "answer", "enter"])
        let match = try node.required("match")
        self.match = try match.stringValue()
        guard !self.match.isEmpty else { throw ConfigError(at: match.location, "expected text to look for") }
        let select = try node.optional("select")
        let keys = try node.optional("keys")
        let answer = try node.optional("answer")
        guard [select != nil, keys != nil, answer != nil].filter({ $0 }).count <= 1 else {
            throw ConfigError(at: node.location, "give one of 'select', 'keys' or 'answer'")
        }
        if let select {
            let text = try select.stringValue()
            guard !text.isEmpty else { throw ConfigError(at: select.location, "expected the text of the option to choose") }
            self.answer = .select(text)
        } else if let keys {
            let names = try keys.stringList()
            var parsed: [TerminalKey] = []
            for (index, name) in names.enumerated() {
                guard let key = TerminalKey(name: name) else {
                    throw ConfigError(at: (try keys.items())[index].location,
                                      "unknown key \"\(name)\" (keys: \(TerminalKey.names.joined(separator: ", ")), or one character)")
                }
                parsed.append(key)
            }
            guard !parsed.isEmpty else { throw ConfigError(at: keys.location, "expected at least one key") }
            self.answer = .keys(parsed)
        } else {
            let text = try answer?.stringValue() ?? ""
            let enter = try node.optional("enter")?.boolValue() ?? true
            self.answer = .keys((text.isEmpty ? [] : [.text(text)]) + (enter ? [.enter] : []))
        }
    }
}
