import Foundation
import Hub
import MCP
import Testing
import ClawMuxTesting

/// What trying the original page and real agents against the hub found: a converse the agent
/// gave up on, the original's status sequence, a refused recording.
@Suite("Wire fixes")
struct WireFixTests {
    @Test("a new converse takes over one the agent gave up on: the user's answer goes to the live call")
    func takeover() async throws {
        let (hub, id, bridge) = try await ConverseEndTests.bridgedSession("takeover")
        defer { hub.stop(); bridge.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        // The agent asks; the user hears it and the hub listens.
        let first = Task { try await bridge.callText("converse", ["message": .string("Shall I run the tests?")]) }
        let (audioIndex, _) = try await browser.next("audio", session: id)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        let (listenIndex, _) = try await browser.next("listening", session: id, after: audioIndex)
        // Codex timed the call out (telling nobody) and asks again.
        let second = Task { try await bridge.callText("converse", ["message": .string("Are you still there?")]) }
        #expect(try await first.value == ConverseMachine.supersededReply)
        let (shownIndex, shown) = try await browser.next("assistant_text", session: id, after: listenIndex)
        #expect(shown["text"]?.stringValue == "Are you still there?", "the new words are shown")
        try await browser.send(.object([
            "type": .string("audio"), "session_id": .string(id), "data": .string(Data("yes run them".utf8).base64EncodedString()),
        ]))
        #expect(try await second.value == "yes run them")
        _ = try await browser.next("done", session: id, after: shownIndex)
        // And the session goes on as usual.
        let third = Task { try await bridge.callText("converse", ["message": .string("Done."), "wait_for_response": .bool(false)]) }
        #expect(try await third.value == "Message delivered.")
    }

    @Test("the activity: in every session of GET /api/sessions, and as session_activity only to pages that asked for it")
    func activity() async throws {
        let (hub, id, bridge) = try await ConverseEndTests.bridgedSession("activity")
        defer { hub.stop(); bridge.stop() }
        let asking = try await BrowserClient.connect(to: hub, hello: ["activity"])
        let plain = try await BrowserClient.connect(to: hub, hello: [])
        let answer = Task { try await bridge.callText("converse", ["message": .string("Which branch?")]) }
        // (Before it, "working" when the bridge finished its handshake, if that came after the tab.)
        let (index, _) = try await asking.next(after: 0, "asking") {
            $0["type"]?.stringValue == "session_activity" && $0["activity"]?["state"]?.stringValue == "asking"
        }
        #expect(try await hub.rest.get("/api/sessions").json?[0]?["activity"]?["state"]?.stringValue == "asking")
        let (audioIndex, _) = try await asking.next("audio", session: id, after: index)
        try await asking.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        _ = try await asking.next("listening", session: id, after: audioIndex)
        try await asking.send(.object([
            "type": .string("audio"), "session_id": .string(id), "data": .string(Data("main".utf8).base64EncodedString()),
        ]))
        #expect(try await answer.value == "main")
        let (_, working) = try await asking.next(after: index + 1, "working again") { $0["type"]?.stringValue == "session_activity" }
        #expect(working["activity"]?["state"]?.stringValue == "working", "answered: the agent works again")
        let since = try #require(working["activity"]?["since"]?.doubleValue)
        #expect(abs(since - Date().timeIntervalSince1970) < 60)
        _ = try await plain.next("done", session: id)
        #expect(!plain.messages.contains { $0["type"]?.stringValue == "session_activity" }, "only pages that asked")
    }

    @Test("a page that said no hello gets the original's statuses: ready when the agent connects, not around every turn")
    func originalStatusSequence() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "original-status", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let original = try await BrowserClient.connect(to: hub)
        let ours = try await BrowserClient.connect(to: hub, hello: [])
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let turn = try await Conversation(browser: original, sessionID: id).turn(after: 0, answer: Data("hello".utf8))
        _ = try await original.next("assistant_text", session: id, after: turn.end)
        _ = try await ours.next(after: 0, "the echo") { $0["type"]?.stringValue == "assistant_text" && $0["text"]?.stringValue == "You said: hello" }
        func statuses(_ browser: BrowserClient) -> [String] {
            browser.messages.filter { $0["type"]?.stringValue == "session_status" }.compactMap { $0["status"]?.stringValue }
        }
        #expect(statuses(original) == ["starting", "ready"], "\(statuses(original))")
        #expect(statuses(ours).contains("active"), "a page that said hello sees each turn: \(statuses(ours))")
    }

    @Test("a refused recording gets an error and listening again, so the original page records again")
    func refusedRecordingIsAskedAgain() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "refused", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let (audioIndex, _) = try await browser.next("audio", session: id)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        let (listenIndex, _) = try await browser.next("listening", session: id, after: audioIndex)
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id), "data": .string("not base64 !!!")]))
        let (errorIndex, error) = try await browser.next("error", after: listenIndex)
        #expect(error["message"]?.stringValue?.contains("base64") == true)
        let (againIndex, _) = try await browser.next("listening", session: id, after: errorIndex)
        try await browser.send(.object([
            "type": .string("audio"), "session_id": .string(id), "data": .string(Data("second try".utf8).base64EncodedString()),
        ]))
        let (_, said) = try await browser.next("assistant_text", session: id, after: againIndex)
        #expect(said["text"]?.stringValue == "You said: second try")
    }
}
