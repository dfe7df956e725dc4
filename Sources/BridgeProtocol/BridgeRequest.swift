import WireJSON

/// Messages between the hub and a session's MCP bridge (`/mcp/{id}`), as the original defines them.
public enum BridgeRequest: Sendable, Equatable {
    /// `request_id` is our extension: a bridge that reconnects re-sends the same id, so the hub
    /// can answer the converse already in flight instead of starting a second one.
    case converse(message: String, waitForResponse: Bool, requestID: String?)
    case statusCheck
    /// Our extension: the agent finished its MCP handshake (it asked for the tools).
    case agentReady

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notJSON
        case unknownType(String)
        case missingField(String)

        public var description: String {
            switch self {
            case .notJSON: "expected a JSON object"
            case .unknownType(let type): "unknown message type '\(type)'"
            case .missingField(let field): "missing or invalid field '\(field)'"
            }
        }
    }

    public static func parse(_ text: String) throws(ParseError) -> BridgeRequest {
        guard let json = JSONValue.decode(text), case .object = json else { throw .notJSON }
        switch json["type"]?.stringValue {
        case BridgeProtocol.MessageType.converse.rawValue:
            guard let message = json["message"]?.stringValue else { throw .missingField("message") }
            return .converse(
                message: message,
                waitForResponse: json["wait_for_response"]?.boolValue ?? true,
                requestID: json["request_id"]?.stringValue)
        case BridgeProtocol.MessageType.statusCheck.rawValue:
            return .statusCheck
        case BridgeProtocol.MessageType.agentReady.rawValue:
            return .agentReady
        case let other:
            throw .unknownType(other ?? "(none)")
        }
    }

    public var json: JSONValue {
        switch self {
        case .converse(let message, let wait, let requestID):
            var fields: [String: JSONValue] = [
                "type": .string(BridgeProtocol.MessageType.converse.rawValue), "message": .string(message), "wait_for_response": .bool(wait),
            ]
            if let requestID { fields["request_id"] = .string(requestID) }
            return .object(fields)
        case .statusCheck:
            return .object(["type": .string(BridgeProtocol.MessageType.statusCheck.rawValue)])
        case .agentReady:
            return .object(["type": .string(BridgeProtocol.MessageType.agentReady.rawValue)])
        }
    }
}
