import PluginAPI

/// A kind of agent the hub can start (Claude Code, Codex, the demo agent): how it is started,
/// how it gets the session's MCP server, what it is told first and which terminal dialogs the
/// hub answers for it.
public struct AgentProfile: Sendable, Equatable {
    public var id: String
    public var label: String
    /// argv; placeholders `{session_id}`, `{work_dir}` (the session dir), `{project_dir}`,
    /// `{mcp_config}`, `{hook_settings}` (Claude Code settings with the session's hooks);
    /// `clawmux` as the first word is this very binary.
    public var command: [String]
    public var mcp: MCPHandoff
    /// Added to the agent's environment (after the hub's own variables).
    public var environment: [String: String]
    /// Typed once the agent has finished its MCP handshake (then Enter); nil types nothing.
    public var startupInput: String?
    public var dialogs: [DialogAnswer]
    /// What is read out when the agent ends a turn without a converse (Claude Code's `Stop`,
    /// Codex's notify).
    public var speakReplies: SpeakReplies

    public enum SpeakReplies: String, Sendable, Equatable {
        /// The whole reply.
        case full
        /// The first paragraph, a few sentences at most, no code.
        case brief
        case off
    }

    /// How the agent is handed the session's MCP server (the `voice-hub` entry).
    public enum MCPHandoff: String, Sendable, Equatable {
        /// A JSON file in the session dir, named in `command` by `{mcp_config}` (Claude Code's
        /// `--mcp-config`); the demo agent also finds it through `CLAWMUX_MCP_CONFIG`.
        case configFile = "config_file"
        /// `-c mcp_servers.voice-hub.…` overrides put right after the executable (Codex).
        case codexOverrides = "codex"
    }

    public init(
        id: String, label: String, command: [String], mcp: MCPHandoff = .configFile,
        environment: [String: String] = [:], startupInput: String? = nil, dialogs: [DialogAnswer] = [], speakReplies: SpeakReplies = .off
    ) {
        self.id = id
        self.label = label
        self.command = command
        self.mcp = mcp
        self.environment = environment
        self.startupInput = startupInput
        self.dialogs = dialogs
        self.speakReplies = speakReplies
    }

    /// The agent tells the hub when its turn ends (Claude Code's hooks, Codex's notify), so a
    /// prompt can wait for it.
    var reportsTurns: Bool {
        mcp == .codexOverrides || command.contains { $0.contains("{hook_settings}") }
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 32 && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}

/// "When the settled screen shows `match`, answer it": by moving the selection to the option
/// whose text contains `select` and pressing Enter, or with `keys`.
public struct DialogAnswer: Sendable, Equatable {
    public var match: String
    public var answer: Answer

    public enum Answer: Sendable, Equatable {
        case select(String)
        case keys([TerminalKey])
    }

    public init(match: String, answer: Answer) {
        self.match = match
        self.answer = answer
    }
}
