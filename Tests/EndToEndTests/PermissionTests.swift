import ClawMuxTesting
import Foundation
import Testing
import WireJSON

/// Permission requests over a real hub, sent by the real hook sender (`clawmux-mcp hook`, as
/// Claude Code runs it) with Claude Code's payload: the hook waits for the user's decision —
/// a tap (REST), a spoken answer, the timeout, a hub restart — and prints what Claude Code reads.
@Suite("Permission requests")
struct PermissionTests {
    static let payload = #"{"hook_event_name":"PermissionRequest","session_id":"c1","cwd":"/tmp","permission_mode":"manual","tool_name":"Bash","tool_input":{"command":"npm test","description":"Run the tests"},"permission_suggestions":[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"npm test"}],"behavior":"allow","destination":"localSettings"}]}"#

    /// The hook as Claude Code runs it: the payload on stdin; what it prints is the decision.
    static func hook(_ mcpConfig: String) -> Task<(status: Int32, output: String), any Error> {
        Task { try await ProcessInspection.runWithInput([TestPaths.clawmux + "-mcp", "hook", mcpConfig], input: payload) }
    }

    static func decision(_ printed: String) -> JSONValue? {
        JSONValue.decode(printed)?["hookSpecificOutput"]?["decision"]
    }

    @Test("a tap (REST) allows; the page hears of it; decisions are checked: 400, 404, another session's id, 409")
    func allowedByTap() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "permission-tap", ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "600"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["permissions", "activity"])
        let original = try await BrowserClient.connect(to: hub)
        let session = try await ReadySession.start(in: hub)
        defer { session.bridge.stop() }
        let other = try await ReadySession.start(in: hub)
        defer { other.bridge.stop() }

        let hook = Self.hook(session.mcpConfig)
        let (askedAt, asked) = try await browser.next("permission_request", session: session.id)
        let request = try #require(asked["request"])
        let requestID = try #require(request["request_id"]?.stringValue)
        #expect(request["tool"]?.stringValue == "Bash" && request["detail"]?.stringValue == "npm test")
        #expect(request["can_allow_session"] == .bool(true))
        // Spoken in the session's voice, as a turn of its own.
        let (_, question) = try await browser.next("assistant_text", session: session.id, after: askedAt)
        #expect(question["text"]?.stringValue == "Sky wants to run npm test. Allow?")
        let pending = try await hub.rest.get("/api/sessions/\(session.id)/permissions").json?.arrayValue ?? []
        #expect(pending.map { $0["request_id"]?.stringValue } == [requestID])
        let listed = try await hub.rest.get("/api/sessions").json?.arrayValue?.first { $0["session_id"]?.stringValue == session.id }
        #expect(listed?["activity"]?["state"]?.stringValue == "needs_permission")
        #expect(listed?["permissions"]?.arrayValue?.count == 1)

        let path = "/api/sessions/\(session.id)/permissions/\(requestID)"
        #expect(try await hub.rest.post("/api/sessions/\(other.id)/permissions/\(requestID)", json: .object(["decision": .string("allow")])).status == 404,
                "another session's request is unknown there")
        #expect(try await hub.rest.post(path, json: .object(["decision": .string("maybe")])).status == 400)
        #expect(try await hub.rest.send(.POST, path, rawBody: "{oops").status == 400)
        #expect(try await REST(baseURL: hub.baseURL).post(path, json: .object(["decision": .string("allow")])).status == 401, "the user's token is needed")
        #expect(try await REST(baseURL: hub.baseURL, token: session.secret).post(path, json: .object(["decision": .string("allow")])).status == 401,
                "the agent cannot approve itself")
        let allowed = try await hub.rest.post(path, json: .object(["decision": .string("allow")]))
        #expect(allowed.status == 200)
        let printed = try await hook.value
        #expect(printed.status == 0)
        #expect(Self.decision(printed.output) == .object(["behavior": .string("allow")]), "printed: \(printed.output)")
        #expect(try await hub.rest.post(path, json: .object(["decision": .string("deny")])).status == 409)
        #expect(try await hub.rest.post("/api/sessions/\(session.id)/permissions/p000", json: .object(["decision": .string("deny")])).status == 404)
        #expect(try await hub.rest.post("/api/sessions/voice-9-gone/permissions/\(requestID)", json: .object(["decision": .string("deny")])).status == 404)

        let (_, resolved) = try await browser.next("permission_resolved", session: session.id, after: askedAt)
        #expect(resolved["request_id"]?.stringValue == requestID)
        #expect(resolved["decision"]?.stringValue == "allow" && resolved["by"]?.stringValue == "user")
        #expect(try await hub.rest.get("/api/sessions/\(session.id)/permissions").json == .array([]))
        // The question being spoken stopped: its turn is done.
        _ = try await browser.next("done", session: session.id, after: askedAt)
        #expect(!original.messages.contains { ($0["type"]?.stringValue ?? "").hasPrefix("permission_") }, "a page that did not ask gets none")
    }

    @Test("the spoken question is answered by voice: an unclear answer asks again, 'yes, for this session' allows for the session")
    func allowedByVoice() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "permission-voice", ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "600"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["permissions"])
        let session = try await ReadySession.start(in: hub)
        defer { session.bridge.stop() }
        let hook = Self.hook(session.mcpConfig)

        func answer(_ words: String, after: Int) async throws -> Int {
            let (index, _) = try await browser.next("listening", session: session.id, after: after)
            // The fake STT hears the recording's bytes as words.
            try await browser.send(.object(["type": .string("audio"), "session_id": .string(session.id),
                                            "data": .string(Data(words.utf8).base64EncodedString())]))
            return index
        }
        let (asked, _) = try await browser.next("permission_request", session: session.id)
        let (_, first) = try await browser.next("audio", session: session.id, after: asked)
        #expect(first["data"] != nil)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(session.id)]))
        let heard = try await answer("What is it doing?", after: asked)
        let (again, retry) = try await browser.next("assistant_text", session: session.id, after: heard)
        #expect(retry["text"]?.stringValue == "Please say yes or no. Sky wants to run npm test. Allow?")
        _ = try await browser.next("audio", session: session.id, after: again)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(session.id)]))
        _ = try await answer("Yes, for this session.", after: again)

        let printed = try await hook.value
        let decision = try #require(Self.decision(printed.output), "printed: \(printed.output)")
        #expect(decision["behavior"]?.stringValue == "allow")
        // The agent's own suggestion, scoped to the session (never the user's settings file).
        #expect(decision["updatedPermissions"]?[0]?["destination"]?.stringValue == "session")
        #expect(decision["updatedPermissions"]?[0]?["rules"]?[0]?["ruleContent"]?.stringValue == "npm test")
        let (_, resolved) = try await browser.next("permission_resolved", session: session.id, after: asked)
        #expect(resolved["decision"]?.stringValue == "allow_session" && resolved["by"]?.stringValue == "voice")
        let entries = try await hub.rest.get("/api/sessions/\(session.id)/transcript").json?["entries"]?.arrayValue ?? []
        #expect(entries.compactMap { $0["text"]?.stringValue }.suffix(2) == ["Please say yes or no. Sky wants to run npm test. Allow?", "Yes, for this session."])
    }

    @Test("nobody answers: denied after permission_timeout, with a reason the model reads")
    func deniedAtTheTimeout() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "permission-timeout", ttsURL: engines.url, sttURL: engines.url, spawner: "pty",
                                             command: ["sleep", "600"], extraSessionLines: ["permission_timeout: 5s"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["permissions"])
        let session = try await ReadySession.start(in: hub)
        defer { session.bridge.stop() }
        let started = ContinuousClock.now
        let printed = try await Self.hook(session.mcpConfig).value
        #expect(ContinuousClock.now - started >= .seconds(5))
        let decision = try #require(Self.decision(printed.output), "printed: \(printed.output)")
        #expect(decision["behavior"]?.stringValue == "deny")
        #expect(decision["message"]?.stringValue?.contains("did not answer within 5 s") == true)
        let (_, resolved) = try await browser.next("permission_resolved", session: session.id)
        #expect(resolved["decision"]?.stringValue == "deny" && resolved["by"]?.stringValue == "timeout")
    }

    @Test("the hub is killed while a request waits: the hook asks the restarted hub, which never allows on its own")
    func hubRestart() async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        let first = try await HubProcess.start(name: "permission-restart", ttsURL: engines.url, sttURL: engines.url, arguments: ["--port", "\(port)"])
        defer { first.stop() }
        let id = try #require(try await first.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let hook = Self.hook(first.mcpConfigPath(id))
        for _ in 0..<200 where (try await first.rest.get("/api/sessions/\(id)/permissions").json?.arrayValue ?? []).isEmpty {
            try await Task.sleep(for: .milliseconds(25))
        }
        await first.kill()
        let second = try await first.successor(name: "permission-restarted", arguments: ["--port", "\(port)"])
        defer { second.stop() }
        var pending: [JSONValue] = []
        for _ in 0..<400 where pending.isEmpty {
            pending = try await second.rest.get("/api/sessions/\(id)/permissions").json?.arrayValue ?? []
            if pending.isEmpty { try await Task.sleep(for: .milliseconds(25)) }
        }
        let requestID = try #require(pending.first?["request_id"]?.stringValue, "the request reached the new hub")
        #expect(try await second.rest.post("/api/sessions/\(id)/permissions/\(requestID)", json: .object(["decision": .string("deny")])).status == 200)
        let printed = try await hook.value
        #expect(Self.decision(printed.output)?["behavior"]?.stringValue == "deny", "printed: \(printed.output)")
    }

    @Test("a permission hook with no hub gives up at once, printing nothing (the agent's own dialog decides)")
    func noHub() async throws {
        let directory = try TestPaths.temporaryDirectory("permission-no-hub")
        let config = directory.appendingPathComponent("mcp.json").path
        let port = try FreePort.pick()
        try #"{"mcpServers":{"voice-hub":{"command":"x","env":{"VOICE_HUB_SESSION_ID":"voice-1-a","VOICE_CHAT_HUB_PORT":"\#(port)","VOICE_HUB_SESSION_TOKEN":"s"}}}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let printed = try await Self.hook(config).value
        #expect(printed.status == 0 && printed.output.isEmpty)
        #expect(ContinuousClock.now - started < .seconds(4))
    }
}
