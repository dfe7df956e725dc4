#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing
@testable import VoiceBridge
import WireJSON

/// The bridge's MCP side over a real pipe (the stdio transport writes whole lines to a file
/// descriptor), with a hub that is not there.
final class MCPRequestsTests {
    let readEnd: Int32
    let writeEnd: Int32
    let server: MCPRequests

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw PipeFailed() }
        (readEnd, writeEnd) = (fds[0], fds[1])
        let environment = try BridgeEnvironment([
            "VOICE_HUB_SESSION_ID": "voice-1-abcdef", "VOICE_CHAT_HUB_PORT": "9", "VOICE_HUB_RECONNECT_SECONDS": "0",
        ])
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        server = MCPRequests(
            link: HubLink(environment: environment, logger: logger), channel: StdioChannel(input: -1, output: writeEnd),
            progressInterval: .seconds(15), logger: logger)
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    struct PipeFailed: Error {}

    func send(_ line: String) {
        server.handle(Array(line.utf8))
    }

    /// The next line the bridge wrote (blocks until there is one).
    func reply() throws -> JSONValue {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) == 1, byte != 10 { line.append(byte) }
        return try #require(JSONValue.decode(bytes: line))
    }

    @Test func theHandshakeAnswersTheClientsProtocolVersionWhenItKnowsIt() throws {
        send(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#)
        let answer = try reply()
        #expect(answer["id"] == .int(1))
        #expect(answer["result"]?["protocolVersion"] == .string("2025-06-18"))
        send(#"{"jsonrpc":"2.0","id":"two","method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#)
        let newest = try reply()
        #expect(newest["id"] == .string("two"), "ids come back as they were sent")
        #expect(newest["result"]?["protocolVersion"] == .string(VoiceBridge.protocolVersions[0]))
    }

    @Test func theToolListHasConverseAndStatus() throws {
        send(#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#)
        let tools = try reply()["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(tools == ["converse", "voice_chat_status"])
    }

    @Test func notificationsGetNoAnswerAndBadInputGetsJSONRPCErrors() throws {
        send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        send("not json")
        #expect(try reply()["error"]?["code"] == .int(-32700), "the notification before it was not answered")
        send("[1,2]")
        #expect(try reply()["error"]?["code"] == .int(-32600))
        send(#"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#)
        #expect(try reply()["error"]?["code"] == .int(-32601))
        send(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"rm_rf"}}"#)
        #expect(try reply()["error"]?["code"] == .int(-32602))
    }

    @Test func aConverseWithoutAHubIsAnErrorTheAgentReadsNotAHang() throws {
        send(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"converse","arguments":{"message":"Hi"}}}"#)
        let result = try reply()
        #expect(result["id"] == .int(5))
        let text = result["result"]?["content"]?[0]?["text"]?.stringValue ?? ""
        #expect(text.contains("unreachable"), "\(text)")
        send(#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"converse","arguments":{}}}"#)
        #expect(try reply()["result"]?["isError"] == .bool(true))
    }
}
