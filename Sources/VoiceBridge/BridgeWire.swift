/// Our additions to the original hub↔bridge protocol, on the bridge's side.
enum BridgeWire {
    /// Upgrade header of a bridge that reports its agent's MCP handshake.
    static let handshakeHeader = "X-ClawMux-Bridge-Handshake"
    /// Sent once the agent has listed the tools (and again after a reconnect).
    static let agentReadyMessage = #"{"type":"agent_ready"}"#
}
