/// The names both ends of the hub↔bridge connection (`/mcp/{session id}`) must agree on, in one
/// place: the hub (which writes them into each session's MCP config and reads the messages) and
/// the bridge (`clawmux-mcp`, which reads its environment and sends the messages). No Foundation:
/// the bridge runs once per session and stays small.
public enum BridgeProtocol {
    /// The environment the hub gives a session's bridge (the original hub's names).
    public enum Environment {
        public static let sessionID = "VOICE_HUB_SESSION_ID"
        public static let hubPort = "VOICE_CHAT_HUB_PORT"
        /// Our addition: the session's secret, presented as `Authorization: Bearer`.
        public static let token = "VOICE_HUB_SESSION_TOKEN"
        /// Our addition: the hub's address when it does not listen on loopback.
        public static let host = "VOICE_HUB_HOST"
        /// Our addition: how long a bridge keeps trying to reach a hub that went away.
        public static let reconnectSeconds = "VOICE_HUB_RECONNECT_SECONDS"
        /// Our addition: how often a waiting converse sends the agent a progress notification.
        public static let progressSeconds = "VOICE_HUB_PROGRESS_SECONDS"
        /// Our addition: a UNIX socket that leads to the hub, used instead of host and port (a
        /// session on another host: the SSH connection's forward).
        public static let socket = "VOICE_HUB_SOCKET"
        /// Our addition: how often a bridge checks that its hub still answers (a WebSocket
        /// ping); three without an answer end the connection, and it reconnects.
        public static let pingSeconds = "VOICE_HUB_PING_SECONDS"
    }

    /// Message `type`s: the original's, and ours (`agent_ready`, `error`).
    public enum MessageType: String, Sendable {
        case converse
        case statusCheck = "status_check"
        case agentReady = "agent_ready"
        case converseResult = "converse_result"
        case statusResult = "status_result"
        case error
    }

    /// The largest message either end accepts.
    public static let maxMessageBytes = 4 << 20

    /// Upgrade header of a bridge that reports its agent's MCP handshake with `agent_ready`.
    public static let handshakeHeader = "X-ClawMux-Bridge-Handshake"
}
