import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Every kind of bad message, one by one: each gets a clear error, the connection stays up, and
/// a converse in another session completes meanwhile.
@Suite("Malformed messages")
struct MalformedMessageTests {
    @Test("browser: each malformed message gets an error; the tab stays; a converse in another session completes")
    func browserMessages() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "malformed-browser", ttsURL: engines.url, sttURL: engines.url, spawner: "pty")
        defer { hub.stop() }
        let victim = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let witnessBrowser = try await BrowserClient.connect(to: hub)
        let witness = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let talk = Conversation(browser: witnessBrowser, sessionID: witness)
        let greeting = try await talk.turn(after: 0, answer: nil)

        let browser = try await BrowserClient.connect(to: hub)
        let cases: [(message: String, error: String)] = [
            ("this is not JSON", "expected a JSON object"),
            ("[1, 2, 3]", "expected a JSON object"),
            (#"{"type": "dance"}"#, "unknown message type 'dance'"),
            (#"{"type": 7, "session_id": "x"}"#, "unknown message type '(none)'"),
            (#"{"session_id": "\#(victim)"}"#, "unknown message type '(none)'"),
            (#"{"type": "playback_done"}"#, "missing or invalid field 'session_id'"),
            (#"{"type": "playback_done", "session_id": 12}"#, "missing or invalid field 'session_id'"),
            (#"{"type": "audio", "session_id": "\#(victim)"}"#, "missing or invalid field 'data'"),
            (#"{"type": "audio", "session_id": "\#(victim)", "data": ["aGk="]}"#, "missing or invalid field 'data'"),
            (#"{"type": "audio", "session_id": "\#(victim)", "data": "@@not base64@@"}"#, "field 'data' is not valid base64"),
            (#"{"type": "playback_done", "session_id": "voice-99-nobody"}"#, "unknown session 'voice-99-nobody'"),
            (#"{"type": "audio", "session_id": "../../etc", "data": "aGk="}"#, "unknown session '../../etc'"),
        ]
        for (message, expected) in cases {
            let start = browser.messages.count
            try await browser.sendRaw(message)
            let (_, error) = try await browser.next("error", after: start, timeout: .seconds(10))
            #expect(error["message"]?.stringValue == expected, "for \(message)")
        }
        let start = browser.messages.count
        try await browser.sendBinary([0xDE, 0xAD, 0xBE, 0xEF])
        let (_, binaryError) = try await browser.next("error", after: start, timeout: .seconds(10))
        #expect(binaryError["message"]?.stringValue == "expected JSON text messages")
        #expect(!browser.isClosed)
        #expect(hub.log.contains("bad browser message"))

        // The converse in the other session (waiting for its recording all along) completes.
        let (listening, _) = try await witnessBrowser.next("listening", session: witness, after: greeting.end - 1)
        try await witnessBrowser.send(.object([
            "type": .string("audio"), "session_id": .string(witness),
            "data": .string(Data("witness words".utf8).base64EncodedString()), "mime_type": .string("audio/webm"),
        ]))
        let (done, _) = try await witnessBrowser.next("done", session: witness, after: listening)
        let answer = try await talk.turn(after: done, answer: nil)
        #expect(answer.said == "You said: witness words")
        let sessions = try await hub.rest.get("/api/sessions").json?.arrayValue?.compactMap { $0["session_id"]?.stringValue } ?? []
        #expect(Set(sessions) == [victim, witness])
    }

    @Test("bridge: each malformed message gets an error (a bad converse gets an error result); another session's converse completes; a secret opens only its own session")
    func bridgeMessages() async throws {
        let engines = try await FakeSpeechServer.shared()
        // The test plays both sessions' bridges; the "agent" only has to stay alive.
        let hub = try await HubProcess.start(
            name: "malformed-bridge", ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "600"])
        defer { hub.stop() }
        let (sessionA, secretA) = try await Self.startSession(hub)
        let (sessionB, secretB) = try await Self.startSession(hub)
        let bridgeA = try await BrowserClient.connect(to: hub.port, path: "/mcp/\(sessionA)", headers: [.authorization: "Bearer \(secretA)"])
        let bridgeB = try await BrowserClient.connect(to: hub.port, path: "/mcp/\(sessionB)", headers: [.authorization: "Bearer \(secretB)"])
        await #expect(throws: (any Error).self, "session A's secret does not open session B") {
            _ = try await BrowserClient.connect(to: hub.port, path: "/mcp/\(sessionB)", headers: [.authorization: "Bearer \(secretA)"])
        }
        let browser = try await BrowserClient.connect(to: hub)

        // B's converse is in flight (its audio reaches the browser) while A sends garbage.
        try await bridgeB.send(.object([
            "type": .string("converse"), "message": .string("Session B asks"), "wait_for_response": .bool(true), "request_id": .string("b-1"),
        ]))
        let (audioIndex, _) = try await browser.next("audio", session: sessionB)

        let errors: [(message: String, error: String)] = [
            ("this is not JSON", "expected a JSON object"),
            (#"{"type": "dance"}"#, "unknown message type 'dance'"),
            (#"{"message": "hi"}"#, "unknown message type '(none)'"),
        ]
        for (message, expected) in errors {
            let start = bridgeA.messages.count
            try await bridgeA.sendRaw(message)
            let (_, reply) = try await bridgeA.next("error", after: start, timeout: .seconds(10))
            #expect(reply["message"]?.stringValue == expected, "for \(message)")
        }
        let badConverses: [(message: String, requestID: String)] = [
            (#"{"type": "converse", "request_id": "a-missing"}"#, "a-missing"),
            (#"{"type": "converse", "message": 42, "request_id": "a-number"}"#, "a-number"),
        ]
        for (message, requestID) in badConverses {
            let start = bridgeA.messages.count
            try await bridgeA.sendRaw(message)
            let (_, reply) = try await bridgeA.next("converse_result", after: start, timeout: .seconds(10))
            #expect(reply["request_id"]?.stringValue == requestID)
            #expect(reply["text"]?.stringValue == "Error: invalid converse request: missing or invalid field 'message'")
        }
        let start = bridgeA.messages.count
        try await bridgeA.sendBinary([1, 2, 3])
        let (_, binaryReply) = try await bridgeA.next("error", after: start, timeout: .seconds(10))
        #expect(binaryReply["message"]?.stringValue == "expected JSON text messages")
        #expect(!bridgeA.isClosed && !bridgeB.isClosed)

        // B's converse completes with the browser's recording.
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(sessionB)]))
        let (listening, _) = try await browser.next("listening", session: sessionB, after: audioIndex)
        try await browser.send(.object([
            "type": .string("audio"), "session_id": .string(sessionB),
            "data": .string(Data("B heard this".utf8).base64EncodedString()), "mime_type": .string("audio/webm"),
        ]))
        _ = try await browser.next("done", session: sessionB, after: listening)
        let (_, resultB) = try await bridgeB.next("converse_result", timeout: .seconds(10))
        #expect(resultB["text"]?.stringValue == "B heard this")
        #expect(resultB["request_id"]?.stringValue == "b-1")

        // And A, after all that, still converses.
        let fromA = browser.messages.count
        try await bridgeA.send(.object([
            "type": .string("converse"), "message": .string("Session A speaks"), "wait_for_response": .bool(false), "request_id": .string("a-ok"),
        ]))
        _ = try await browser.next("audio", session: sessionA, after: fromA)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(sessionA)]))
        let (_, resultA) = try await bridgeA.next(after: 0, timeout: .seconds(10), "A's converse result") {
            $0["type"]?.stringValue == "converse_result" && $0["request_id"]?.stringValue == "a-ok"
        }
        #expect(resultA["text"]?.stringValue?.hasPrefix("Error") == false)
        #expect(hub.log.contains("bad bridge message"))
    }

    /// A session whose bridge the test will play: started without waiting, its secret read from
    /// the `.mcp.json` the hub wrote for the agent.
    static func startSession(_ hub: HubProcess) async throws -> (id: String, secret: String) {
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        let mcpConfig = try Data(contentsOf: URL(fileURLWithPath: "\(hub.workRoot)/\(id)/.mcp.json"))
        let secret = try #require(JSONValue.decode(String(decoding: mcpConfig, as: UTF8.self))?["mcpServers"]?["voice-hub"]?["env"]?["VOICE_HUB_SESSION_TOKEN"]?.stringValue)
        return (id, secret)
    }
}
