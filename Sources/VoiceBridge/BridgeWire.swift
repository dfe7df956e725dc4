import BridgeProtocol

/// Our additions to the original hub↔bridge protocol, as the bridge sends them.
enum BridgeWire {
    /// Sent once the agent has listed the tools (and again after a reconnect).
    static let agentReadyMessage = #"{"type":"\#(BridgeProtocol.MessageType.agentReady.rawValue)"}"#
}
