import Foundation
import PluginAPI

/// The whole hub configuration, validated. Built by `HubConfig.load`.
public struct HubConfig: Sendable {
    public var file: String
    public var server: ServerSettings
    public var sessions: SessionSettings
    /// The agents sessions may run: the built-in profiles, `agents:` and `sessions.command`.
    public var agents: [AgentProfile] = AgentProfile.builtIn
    /// Folders the page offers for new sessions (`projects:`), besides recent ones.
    public var projects: [String] = []
    /// Machines reached over SSH (`hosts:`).
    public var hosts: [SSHHost] = []
    public var backends: [BackendDeclaration]
    public var voices: [VoiceRoute]
    public var stt: SpeechToTextSettings
    public var limits: Limits
    public var health: HealthSettings = HealthSettings()
    /// Where each reference to a backend was written (`voices.af_sky.backend`, `stt.backend`,
    /// `sessions.spawner`), so a reference to a missing backend is reported at its own line.
    public var referenceLocations: [String: ConfigLocation] = [:]
}

public struct ServerSettings: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 3460
    /// Where static files are served from; a relative path is taken from the config file's directory.
    public var staticDirectory: String = "static"
    /// Logs of engines the hub launches, the generated access token, and other state that outlives a run.
    public var stateDirectory: String = ServerSettings.defaultStateDirectory
    /// `token` (default): REST and the browser WebSocket need the hub's token. `none`: only on loopback.
    public var auth: AuthMode = .token
    /// The access token; nil: `CLAWMUX_TOKEN`, else the one generated into the state dir.
    public var token: String?
    /// Origins (`https://host:port`) besides the hub's own whose pages may open the browser WebSocket.
    public var allowedOrigins: [String] = []

    /// An extra HTTPS listener (phones on the LAN need a secure context for the microphone);
    /// the plain one stays for the bridges and this machine.
    public var tls: TLSSettings?

    public struct TLSSettings: Sendable {
        public var certificate: String
        public var key: String
        public var host: String
        public var port: Int
    }

    public enum AuthMode: String, Sendable {
        case token, none
    }

    /// Loopback addresses: the only ones `auth: none` may listen on.
    public var isLoopback: Bool {
        ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.")
    }

    static var defaultStateDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["CLAWMUX_STATE_DIR"], state.hasPrefix("/") { return state }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/clawmux" }
        return (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/.local/state/clawmux"
    }
}

public struct SessionSettings: Sendable {
    /// Name of a backend instance (or plugin) of kind spawner.
    public var spawner: String = "tmux"
    /// The agent profile of sessions that do not name one.
    public var agent: String = "claude"
    public var workRoot: String = "/tmp/clawmux-sessions"
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// A converse waiting for a browser (to play its audio or record the answer) while none is
    /// connected is answered "(nobody is listening …)" after this long.
    public var noListenerTimeout: Duration = .seconds(120)
    public var maxSessions: Int = 10
    /// A permission request nobody answers is denied after this long.
    public var permissionTimeout: Duration = .seconds(120)
    /// How long POST /api/sessions waits for the agent's MCP bridge.
    public var readyTimeout: Duration = .seconds(120)
    /// Lets the original Python MCP server (which sends no secret) connect.
    public var allowBridgesWithoutToken: Bool = false
}

/// A backend instance: a name, the plugin that implements it, and that plugin's options.
public struct BackendDeclaration: Sendable {
    public var name: String
    public var plugin: String
    public var options: ConfigNode
    public var pluginLocation: ConfigLocation
    /// Set when the hub starts the engine itself.
    public var launch: LaunchSpec?
}

/// One link of a voice's chain: a TTS backend instance and the voice name that engine knows.
public struct SpeechLink: Sendable, Equatable {
    public var backend: String
    public var engineVoice: String
}

/// A voice the browser can pick: the engines that may speak it, in order of preference,
/// and optionally its own speech-to-text chain or language.
public struct VoiceRoute: Sendable, Equatable {
    public var id: String
    public var label: String
    public var links: [SpeechLink]
    /// Overrides `stt.chain` for sessions with this voice.
    public var sttChain: [String]?
    /// Overrides `stt.language` for sessions with this voice.
    public var language: String?

    /// The first (preferred) engine.
    public var backend: String { links[0].backend }
    public var engineVoice: String { links[0].engineVoice }
}

public struct SpeechToTextSettings: Sendable {
    /// STT backend instances, tried in order.
    public var chain: [String]
    public var language: String?
}

/// How often backends are probed while the hub runs.
public struct HealthSettings: Sendable {
    /// Between probes of a healthy backend.
    public var interval: Duration = .seconds(15)
    /// Between probes of a backend that is down, so it is used again soon after it returns.
    public var retryInterval: Duration = .seconds(2)
    /// A probe that takes longer counts as a failure.
    public var timeout: Duration = .seconds(5)
}

/// An engine the hub starts as a child process, keeps alive and stops on exit.
public struct LaunchSpec: Sendable {
    public enum Start: String, Sendable { case startup, firstUse = "first_use" }
    public enum HealthCheck: Sendable, Equatable {
        /// The backend's own probe (`/v1/models`, `/health`, Wyoming `describe`, ...).
        case probe
        /// `GET` this URL answers 2xx.
        case url(String)
        /// A TCP connection to this port on 127.0.0.1 succeeds.
        case port(Int)
    }

    public var argv: [String]
    public var environment: [String: String]
    public var health: HealthCheck
    public var start: Start
    /// How long a start may take before it counts as failed.
    public var startTimeout: Duration
    /// Where the engine's stdout and stderr go; nil: `<state_dir>/engines/<name>.log`.
    public var logFile: String?
    /// The config file's directory: relative paths in `argv[0]` and `log` are taken from here,
    /// and `{config_dir}` in arguments and environment values stands for it.
    public var baseDirectory: String

    func expandingConfigDirectory(_ text: String) -> String {
        text.replacingOccurrences(of: "{config_dir}", with: baseDirectory)
    }
}

public struct Limits: Sendable {
    /// Longest text sent to TTS in one converse (characters).
    public var maxSpeechCharacters: Int = 20_000
    /// Largest recording accepted from a browser (bytes, decoded).
    public var maxRecordingBytes: Int = 25 << 20
    /// Bytes queued for one browser tab that does not read them before the hub cuts it off.
    public var maxBrowserBacklogBytes: Int = 32 << 20
}

