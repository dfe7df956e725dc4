import PluginAPI

/// The whole hub configuration, validated. Built by `HubConfig.load`.
public struct HubConfig: Sendable {
    public var file: String
    public var server: ServerSettings
    public var sessions: SessionSettings
    public var backends: [BackendDeclaration]
    public var voices: [VoiceRoute]
    public var stt: SpeechToTextSettings
    public var limits: Limits
    /// Where each reference to a backend was written (`voices.af_sky.backend`, `stt.backend`,
    /// `sessions.spawner`), so a reference to a missing backend is reported at its own line.
    public var referenceLocations: [String: ConfigLocation] = [:]
}

public struct ServerSettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 3460
    /// Where static files are served from; relative paths are taken from the working directory.
    public var staticDirectory: String = "static"
}

public struct SessionSettings: Sendable {
    /// Name of a backend instance (or plugin) of kind spawner.
    public var spawner: String = "tmux"
    public var command: [String] = ["claude", "--dangerously-skip-permissions", "--mcp-config", "{mcp_config}"]
    /// Typed into the agent's terminal once its bridge connects (then Enter); nil types nothing.
    public var startupInput: String? = "/voice-hub"
    public var workRoot: String = "/tmp/clawmux-sessions"
    public var idleTimeout: Duration = .seconds(30 * 60)
    public var maxSessions: Int = 10
    /// How long POST /api/sessions waits for the agent's MCP bridge.
    public var readyTimeout: Duration = .seconds(120)
    public var prompts: [PromptAnswer] = []
    /// Lets the original Python MCP server (which sends no secret) connect.
    public var allowBridgesWithoutToken: Bool = false
}

/// "When the terminal shows `match`, type `answer` (then Enter)."
public struct PromptAnswer: Sendable, Equatable {
    public var match: String
    public var answer: String
    public var pressEnter: Bool
}

/// A backend instance: a name, the plugin that implements it, and that plugin's options.
public struct BackendDeclaration: Sendable {
    public var name: String
    public var plugin: String
    public var options: ConfigNode
    public var pluginLocation: ConfigLocation
}

/// A voice the browser can pick, and the engine that speaks it.
public struct VoiceRoute: Sendable, Equatable {
    public var id: String
    public var label: String
    public var backend: String
    /// The engine's own voice name.
    public var engineVoice: String
}

public struct SpeechToTextSettings: Sendable {
    public var backend: String
    public var language: String?
}

public struct Limits: Sendable {
    /// Longest text sent to TTS in one converse (characters).
    public var maxSpeechCharacters: Int = 20_000
    /// Largest recording accepted from a browser (bytes, decoded).
    public var maxRecordingBytes: Int = 25 << 20
}

