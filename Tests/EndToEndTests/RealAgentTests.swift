import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// The real Claude Code and Codex CLIs as the hub's agents, offline against our scripted model
/// servers, in a project folder they never trusted, with a HOME that never accepted anything:
/// every dialog is answered by the hub's shipped profiles.
@Suite("Real agents", .enabled(if: RealAgents.available, "run scripts/test.sh: it fetches the real agents"))
struct RealAgentTests {
    /// Plays the user for `turns` converse turns ("answer 1", "answer 2", ...) and hears the goodbye.
    static func converse(_ setup: RealAgentSetup, session id: String, browser: BrowserClient, turns: Int = 3, from start: Int = 0) async throws -> Int {
        var index = start
        for n in 1...turns {
            let turn = try await Conversation(browser: browser, sessionID: id)
                .turn(after: index, answer: Data("answer \(n)".utf8), timeout: .seconds(90))
            #expect(turn.said == setup.said(turn: n))
            index = turn.end
        }
        let (end, goodbye) = try await browser.next("assistant_text", session: id, after: index, timeout: .seconds(90))
        #expect(goodbye["text"]?.stringValue?.hasPrefix("Goodbye!") == true)
        return end
    }

    @Test("spawn in a project folder → dialogs answered → ready after the handshake → 3 turns → DELETE leaves nothing",
          .timeLimit(.minutes(4)), arguments: [RealAgents.Kind.claude, .codex], ["tmux", "pty"])
    func threeTurns(kind: RealAgents.Kind, spawner: String) async throws {
        let setup = try await RealAgentSetup.start(kind, spawner: spawner, name: "real-\(kind)-\(spawner)")
        let hub = setup.hub
        defer { hub.stop() }
        let before = setup.snapshot()
        let browser = try await BrowserClient.connect(to: hub)

        let started = ContinuousClock.now
        let created = try await hub.rest.post("/api/sessions", json: .object(["agent": .string(kind.rawValue), "cwd": .string(setup.project)]))
        let readyAfter = ContinuousClock.now - started
        #expect(created.status == 200, "\(created.text)\n\(hub.log.suffix(3000))")
        let id = try #require(created.json?["session_id"]?.stringValue)
        print("POST → ready, \(kind) on \(spawner), with its dialogs: \(readyAfter)")
        #expect(created.json?["status"]?.stringValue == "ready")
        let answered = hub.log.components(separatedBy: "answering terminal dialog").count - 1
        #expect(answered >= (kind == .claude ? 3 : 1), "trust (+ API key and bypass for Claude) answered: \(answered)")

        let terminal = created.json?["terminal"]?.stringValue ?? ""
        let root = try ProcessInspection.agentPID(terminal: terminal, tmuxSocket: hub.tmuxSocket, sessionID: id)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(root)/cwd") == setup.project)

        _ = try await Self.converse(setup, session: id, browser: browser)

        // The agent's first model request already had the converse tool: ready meant ready.
        let main = setup.model.requests.filter { $0["kind"]?.stringValue == "main" }
        if kind == .claude {
            #expect(main.first?["converse_listed"]?.boolValue == true)
            #expect(main.first?["voice_hub_connecting"]?.boolValue == false, "voice-hub was still connecting: \(main.first?.encodedText() ?? "none")")
        } else {
            #expect(!main.isEmpty)
        }

        let tree = ProcessInspection.tree(of: root) + (spawner == "pty" ? [ProcessInspection.parent(of: root) ?? 0] : [])
        #expect(tree.count >= 2, "the agent and its MCP bridge are running")
        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        let deadline = ContinuousClock.now + .seconds(10)
        while !tree.filter(ProcessInspection.isRunning).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(tree.filter(ProcessInspection.isRunning).isEmpty, "still running: \(tree.filter(ProcessInspection.isRunning))")
        if spawner == "tmux" {
            #expect(try ProcessInspection.run(["tmux", "-L", hub.tmuxSocket, "has-session", "-t", "=\(id)"]).status != 0)
        }
        #expect(setup.snapshot() == before, "the project folder is untouched")
    }

    @Test("Claude Code's hooks: a Bash tool is the session's activity while it runs, the converse is asking, the finished turn idle",
          .timeLimit(.minutes(3)))
    func hooksShowTheActivity() async throws {
        let setup = try await RealAgentSetup.start(
            .claude, spawner: "tmux", name: "real-hooks", turns: 1, modelArguments: ["--bash-first", "sleep 2; echo done"])
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        #expect(created.status == 200, "\(created.text)\n\(hub.log.suffix(3000))")
        let id = try #require(created.json?["session_id"]?.stringValue)
        func activity(_ state: String, tool: String? = nil, after index: Int) async throws -> (Int, JSONValue) {
            try await browser.next(after: index, timeout: .seconds(60), "activity \(state) \(tool ?? "")") {
                $0["type"]?.stringValue == "session_activity" && $0["activity"]?["state"]?.stringValue == state
                    && (tool == nil || $0["activity"]?["tool"]?.stringValue == tool)
            }
        }
        // (Claude Code first loads the deferred converse tool: ToolSearch, a tool too.)
        let (toolIndex, tool) = try await activity("tool", tool: "Bash", after: 0)
        #expect(tool["activity"]?["tool"]?.stringValue == "Bash")
        #expect(tool["activity"]?["detail"]?.stringValue == "sleep 2; echo done")
        let (workingIndex, working) = try await activity("working", after: toolIndex)
        let ran = (working["activity"]?["since"]?.doubleValue ?? 0) - (tool["activity"]?["since"]?.doubleValue ?? 0)
        #expect(ran >= 1.5, "the tool ran for its 2 s: \(ran)")
        _ = try await activity("asking", after: workingIndex)
        let end = try await Self.converse(setup, session: id, browser: browser, turns: 1)
        // The goodbye needs no answer; then the model ends its turn and Claude Code's Stop hook says so.
        _ = try await activity("idle", after: end)
        #expect(try await hub.rest.get("/api/sessions").json?[0]?["activity"]?["state"]?.stringValue == "idle")
        #expect(!hub.log.contains("refused a hook report"))
    }

    @Test("Codex's notify: the finished turn makes the session idle", .timeLimit(.minutes(3)))
    func codexNotifyShowsTheTurnEnd() async throws {
        let setup = try await RealAgentSetup.start(.codex, spawner: "tmux", name: "real-notify", turns: 1)
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["agent": .string("codex"), "cwd": .string(setup.project)]))
        #expect(created.status == 200, "\(created.text)\n\(hub.log.suffix(3000))")
        let id = try #require(created.json?["session_id"]?.stringValue)
        let end = try await Self.converse(setup, session: id, browser: browser, turns: 1)
        _ = try await Self.activity("idle", after: end, browser: browser)
        #expect(!hub.log.contains("refused a hook report"))
    }

    @Test("an agent whose user trusted the folder before shows no dialog: none is answered, ready after the handshake",
          .timeLimit(.minutes(2)), arguments: [RealAgents.Kind.claude, .codex])
    func readyWithoutDialogs(kind: RealAgents.Kind) async throws {
        let setup = try await RealAgentSetup.start(kind, spawner: "tmux", name: "real-trusted-\(kind)", turns: 1, trusted: true)
        defer { setup.hub.stop() }
        let started = ContinuousClock.now
        let created = try await setup.hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        print("POST → ready, \(kind) on tmux, no dialogs: \(ContinuousClock.now - started)")
        #expect(created.status == 200, "\(created.text)")
        #expect(!setup.hub.log.contains("answering terminal dialog"))
        let browser = try await BrowserClient.connect(to: setup.hub)
        let id = try #require(created.json?["session_id"]?.stringValue)
        _ = try await Self.converse(setup, session: id, browser: browser, turns: 1)
    }

    @Test("Claude Code without a project folder: its scratch folder's dialogs answered, none left to the user",
          .timeLimit(.minutes(2)))
    func scratchFolder() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-scratch", turns: 1)
        defer { setup.hub.stop() }
        let created = try await setup.hub.rest.post("/api/sessions", json: .object([:]))
        #expect(created.status == 200, "\(created.text)")
        #expect(!setup.hub.log.contains("the agent needs the user"), "\(setup.hub.log.suffix(2000))")
        let browser = try await BrowserClient.connect(to: setup.hub)
        let id = try #require(created.json?["session_id"]?.stringValue)
        _ = try await Self.converse(setup, session: id, browser: browser, turns: 1)
    }

    @Test("Claude Code: an answer after 150 s is returned in place, not moved to the background",
          .timeLimit(.minutes(5)))
    func lateAnswer() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-late", turns: 1)
        defer { setup.hub.stop() }
        let browser = try await BrowserClient.connect(to: setup.hub)
        let created = try await setup.hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let (audioIndex, _) = try await browser.next("audio", session: id, timeout: .seconds(90))
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        let (listenIndex, _) = try await browser.next("listening", session: id, after: audioIndex)
        try await Task.sleep(for: .seconds(150))
        try await browser.send(.object([
            "type": .string("audio"), "session_id": .string(id), "data": .string(Data("answer 1".utf8).base64EncodedString()),
        ]))
        let (_, goodbye) = try await browser.next("assistant_text", session: id, after: listenIndex, timeout: .seconds(60))
        #expect(goodbye["text"]?.stringValue?.hasPrefix("Goodbye!") == true, "\(goodbye.encodedText())")
        let results = setup.model.requests.filter { $0["step"]?.stringValue == "goodbye" }
        #expect(!results.isEmpty, "the model got the answer as the tool's result")
    }

    @Test("Claude Code: the hub killed mid-turn and started again; the conversation goes on", .timeLimit(.minutes(4)))
    func hubKilledMidTurn() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-restart", turns: 2)
        defer { setup.hub.stop() }
        let browser = try await BrowserClient.connect(to: setup.hub)
        let created = try await setup.hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let first = try await Conversation(browser: browser, sessionID: id).turn(after: 0, answer: Data("answer 1".utf8), timeout: .seconds(90))
        #expect(first.said == setup.said(turn: 1))
        // Turn 2 is spoken and waits for the answer when the hub dies.
        let (audioIndex, _) = try await browser.next("audio", session: id, after: first.end, timeout: .seconds(90))
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        _ = try await browser.next("listening", session: id, after: audioIndex, timeout: .seconds(30))

        await setup.hub.kill()
        let second = try await setup.hub.successor(name: "real-restarted", arguments: ["--port", "\(setup.hub.port)"])
        defer { second.stop() }
        let again = try await BrowserClient.connect(to: second)
        // The bridge sends the converse in flight again; the new hub asks it anew (its words may
        // have gone out before this page connected: the pending audio is what every page gets).
        let (replayIndex, replayed) = try await again.next("audio", session: id, timeout: .seconds(90))
        let spoken = String(decoding: Data(base64Encoded: replayed["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
        #expect(spoken.hasSuffix(setup.said(turn: 2)), "\(spoken)")
        try await again.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        let (listenIndex, _) = try await again.next("listening", session: id, after: replayIndex)
        try await again.send(.object([
            "type": .string("audio"), "session_id": .string(id), "data": .string(Data("answer 2".utf8).base64EncodedString()),
        ]))
        let (_, goodbye) = try await again.next("assistant_text", session: id, after: listenIndex, timeout: .seconds(90))
        #expect(goodbye["text"]?.stringValue?.hasPrefix("Goodbye!") == true)
        let transcript = try await second.rest.get("/api/sessions/\(id)/transcript").json?["entries"]?.arrayValue ?? []
        let said = transcript.filter { $0["role"]?.stringValue == "assistant" }.compactMap { $0["text"]?.stringValue }
        #expect(said.filter { $0 == setup.said(turn: 2) }.count == 1, "the re-asked turn is written once: \(said)")
    }

    @Test("Claude Code as root without IS_SANDBOX: the error says why", .enabled(if: RealAgents.isRoot, "only root is refused"),
          .timeLimit(.minutes(2)))
    func rootWithoutSandbox() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-root", sandbox: false)
        defer { setup.hub.stop() }
        let created = try await setup.hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        #expect(created.status == 503)
        let error = created.json?["error"]?.stringValue ?? ""
        #expect(error.contains("cannot be used with root/sudo privileges"), "\(error)")
        #expect(error.contains("set IS_SANDBOX: \"1\" in agents.claude.env"), "and what to do: \(error)")
        #expect(try await setup.hub.rest.get("/api/sessions").json == .array([]))
    }

    @Test("Claude Code: a dialog the hub does not answer (the project's own MCP server) needs you, and is answered through the hub",
          .timeLimit(.minutes(3)))
    func unknownDialog() async throws {
        let projectServer = #"{"mcpServers": {"my-tools": {"command": "/bin/true"}}}"#
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-unknown", projectFiles: [".mcp.json": projectServer])
        defer { setup.hub.stop() }
        let browser = try await BrowserClient.connect(to: setup.hub, hello: [])
        let created = try #require(try await setup.hub.rest.post(
            "/api/sessions?wait=false", json: .object(["cwd": .string(setup.project)])).json)
        let id = try #require(created["session_id"]?.stringValue)
        let (index, status) = try await browser.next(after: 0, timeout: .seconds(60), "needs_you") {
            $0["type"]?.stringValue == "session_status" && $0["status"]?.stringValue == "needs_you"
        }
        #expect(status["screen"]?.stringValue?.contains("New MCP server found in this project: my-tools") == true,
                "\(status["screen"]?.stringValue ?? "")")
        // The user's choice: continue without the project's server (where the selection already is).
        #expect(try await setup.hub.rest.post("/api/sessions/\(id)/keys", json: .object(["keys": .array([.string("Enter")])])).status == 200)
        _ = try await browser.next(after: index, timeout: .seconds(60), "ready") {
            $0["type"]?.stringValue == "session_status" && $0["status"]?.stringValue == "ready"
        }
        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: index, answer: Data("answer 1".utf8), timeout: .seconds(90))
        #expect(turn.said == setup.said(turn: 1))
    }
}
