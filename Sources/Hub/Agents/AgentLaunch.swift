/// The argv and environment that start one session's agent from its profile: placeholders
/// filled, the MCP server handed over the profile's way. Pure, so every profile's command line
/// is tested without starting anything.
struct AgentLaunch: Sendable, Equatable {
    var argv: [String]
    var environment: [String: String]

    /// Long enough for any answer: a converse waits for the user, never for Codex's tool timeout.
    static let codexToolTimeoutSeconds = 86_400

    init(profile: AgentProfile, sessionID: String, sessionDirectory: String, workingDirectory: String,
         mcpConfigPath: String, hookSettingsPath: String, bridge: BridgeServer, clawmux: String) {
        argv = profile.command.enumerated().map { index, argument in
            if index == 0 && argument == "clawmux" { return clawmux }
            return argument
                .replacingOccurrences(of: "{session_id}", with: sessionID)
                .replacingOccurrences(of: "{work_dir}", with: sessionDirectory)
                .replacingOccurrences(of: "{project_dir}", with: workingDirectory)
                .replacingOccurrences(of: "{mcp_config}", with: mcpConfigPath)
                .replacingOccurrences(of: "{hook_settings}", with: hookSettingsPath)
                .replacingOccurrences(of: "{clawmux}", with: clawmux)
        }
        if profile.mcp == .codexOverrides {
            argv.insert(contentsOf: Self.codexOverrides(bridge, mcpConfigPath: mcpConfigPath), at: 1)
        }
        // The bridge's variables too (as before profiles), and where the MCP config is (the
        // demo agent reads it); then the profile's own, which win.
        environment = bridge.environment
        environment["CLAWMUX_MCP_CONFIG"] = mcpConfigPath
        environment.merge(profile.environment) { _, profile in profile }
    }

    /// `-c key=value` pairs (values in TOML) that give Codex the `voice-hub` server: `required`,
    /// so its first request waits for the server (else it goes out without the tool), a tool
    /// timeout no answer reaches (Codex's default, 300 s, cuts a converse waiting for the user
    /// and tells nobody), and no approval asked per call; and its `notify` program, the bridge's
    /// `hook` command, which reports each finished turn.
    static func codexOverrides(_ bridge: BridgeServer, mcpConfigPath: String) -> [String] {
        let server = "mcp_servers.voice-hub"
        // By name only: the values (the session's secret among them) are in Codex's own
        // environment, which it passes on; on its command line any local user could read them.
        let names = bridge.environment.keys.sorted().map(TOML.string).joined(separator: ", ")
        let pairs = [
            "\(server).command=\(TOML.string(bridge.command))",
            "\(server).args=[\(bridge.arguments.map(TOML.string).joined(separator: ", "))]",
            "\(server).env_vars=[\(names)]",
            "\(server).required=true",
            "\(server).startup_timeout_sec=30",
            "\(server).tool_timeout_sec=\(codexToolTimeoutSeconds)",
            // converse is the conversation itself: never an approval per call.
            "\(server).default_tools_approval_mode=\"approve\"",
            // At the end of each turn Codex runs this with the turn's summary: the session's activity.
            "notify=[\(([bridge.command] + bridge.arguments + ["hook", mcpConfigPath]).map(TOML.string).joined(separator: ", "))]",
        ]
        return pairs.flatMap { ["-c", $0] }
    }
}

/// The bits of TOML that Codex's `-c` overrides need.
enum TOML {
    /// A basic string: quotes, backslashes and control characters escaped.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A bare key when it may be one, else quoted.
    static func key(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        return bare ? key : string(key)
    }
}
