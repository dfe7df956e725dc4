import WireJSON

/// What the hub answers a session's MCP bridge, as the original defines it (plus `error`).
public enum BridgeReply: Sendable, Equatable {
    case converseResult(text: String, requestID: String?)
    case statusResult(connected: Bool)
    /// Our extension: a message the hub could not use (the original's bridge ignores it).
    case error(message: String)

    /// The answer to a message the hub could not use. A converse gets its result, an error the
    /// agent sees, so that its caller does not wait forever; anything else gets `error`.
    public static func rejecting(_ text: String, because problem: String) -> BridgeReply {
        let json = JSONValue.decode(text)
        guard json?["type"]?.stringValue == BridgeProtocol.MessageType.converse.rawValue else { return .error(message: problem) }
        return .converseResult(text: "Error: invalid converse request: \(problem)", requestID: json?["request_id"]?.stringValue)
    }

    public var json: JSONValue {
        switch self {
        case .converseResult(let text, let requestID):
            var fields: [String: JSONValue] = ["type": .string(BridgeProtocol.MessageType.converseResult.rawValue), "text": .string(text)]
            if let requestID { fields["request_id"] = .string(requestID) }
            return .object(fields)
        case .statusResult(let connected):
            return .object(["type": .string(BridgeProtocol.MessageType.statusResult.rawValue), "connected": .bool(connected)])
        case .error(let message):
            return .object(["type": .string(BridgeProtocol.MessageType.error.rawValue), "message": .string(message)])
        }
    }

    public static func parse(_ text: String) -> BridgeReply? {
        guard let json = JSONValue.decode(text) else { return nil }
        switch json["type"]?.stringValue {
        case BridgeProtocol.MessageType.converseResult.rawValue:
            guard let text = json["text"]?.stringValue else { return nil }
            return .converseResult(text: text, requestID: json["request_id"]?.stringValue)
        case BridgeProtocol.MessageType.statusResult.rawValue:
            return .statusResult(connected: json["connected"]?.boolValue ?? false)
        case BridgeProtocol.MessageType.error.rawValue:
            return .error(message: json["message"]?.stringValue ?? "")
        default:
            return nil
        }
    }
}
