import Dispatch
import Logging
import WireJSON

/// JSON-RPC requests of the MCP client (the agent): the handshake, the tool list and tool
/// calls. A tool call waits for the user on a thread of its own, so pings and a second call
/// are answered meanwhile.
struct MCPRequests: Sendable {
    let link: HubLink
    let channel: StdioChannel
    let progressInterval: Duration
    let logger: Logger

    func handle(_ line: [UInt8]) {
        guard let message = JSONValue.decode(bytes: line) else {
            channel.write(Self.error(id: .null, code: -32700, "Parse error: not JSON"))
            return
        }
        guard case .object = message else {
            channel.write(Self.error(id: .null, code: -32600, "Invalid request: expected a JSON object"))
            return
        }
        guard let method = message["method"]?.stringValue else { return }  // a response: we send no requests
        // Notifications (no id) need no answer: initialized, cancelled, roots changed, ...
        guard let id = message["id"] else { return }
        let params = message["params"] ?? .object([:])
        switch method {
        case "initialize":
            let asked = params["protocolVersion"]?.stringValue ?? ""
            channel.write(Self.result(id: id, .object([
                "protocolVersion": .string(VoiceBridge.protocolVersions.contains(asked) ? asked : VoiceBridge.protocolVersions[0]),
                "capabilities": .object(["tools": .object(["listChanged": .bool(false)])]),
                "serverInfo": .object(["name": .string("voice-hub"), "version": .string(BridgeVersion.current)]),
                "instructions": .string("Voice mode through the ClawMux hub: use the converse tool in a loop to speak with the user."),
            ])))
        case "ping":
            channel.write(Self.result(id: id, .object([:])))
        case "tools/list":
            // The hub hears it before the agent sees the tools: its first converse comes after.
            link.agentReady()
            channel.write(Self.result(id: id, .object(["tools": BridgeTools.list])))
        case "tools/call":
            let name = params["name"]?.stringValue ?? ""
            guard [BridgeTools.converse, BridgeTools.status].contains(name) else {
                channel.write(Self.error(id: id, code: -32602, "Unknown tool: \(name)"))
                return
            }
            DispatchQueue.global().async { channel.write(Self.result(id: id, call(params))) }
        default:
            channel.write(Self.error(id: id, code: -32601, "Method not found: \(method)"))
        }
    }

    private func call(_ params: JSONValue) -> JSONValue {
        let arguments = params["arguments"] ?? .object([:])
        switch params["name"]?.stringValue {
        case BridgeTools.converse:
            guard let message = arguments["message"]?.stringValue else {
                return Self.toolResult("Error: converse needs a 'message' string.", isError: true)
            }
            let progressToken = params["_meta"]?["progressToken"]
            var beat = 0
            let text = link.converse(
                message: message, waitForResponse: arguments["wait_for_response"]?.boolValue ?? true,
                tickEvery: progressToken == nil ? .seconds(3600) : progressInterval
            ) {
                guard let progressToken else { return }
                beat += 1
                channel.write(.object([
                    "jsonrpc": .string("2.0"), "method": .string("notifications/progress"),
                    "params": .object([
                        "progressToken": progressToken, "progress": .int(beat),
                        "message": .string("Waiting for the user to answer"),
                    ]),
                ]))
            }
            if text.hasPrefix("Error:") { logger.error("converse failed", metadata: ["error": "\(text)"]) }
            return Self.toolResult(text, isError: text.hasPrefix("Error:"))
        case BridgeTools.status:
            let browser = link.browserConnected()
            let text = switch browser {
            case true?: "Connected: the hub is reachable and a browser is listening."
            case false?: "The hub is reachable but no browser is connected."
            case nil: "Not connected: the ClawMux hub is unreachable."
            }
            var result = Self.toolResult(text, isError: false)
            if case .object(var fields) = result {
                fields["structuredContent"] = .object(["hub_connected": .bool(browser != nil), "connected": .bool(browser ?? false)])
                result = .object(fields)
            }
            return result
        case let name:
            return Self.toolResult("Error: unknown tool '\(name ?? "")'.", isError: true)
        }
    }

    static func toolResult(_ text: String, isError: Bool) -> JSONValue {
        var fields: [String: JSONValue] = ["content": .array([.object(["type": .string("text"), "text": .string(text)])])]
        if isError { fields["isError"] = .bool(true) }
        return .object(fields)
    }

    static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }

    static func error(id: JSONValue, code: Int, _ message: String) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": .object(["code": .int(code), "message": .string(message)])])
    }
}
