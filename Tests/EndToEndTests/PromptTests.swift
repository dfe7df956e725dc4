import ClawMuxTesting
import Foundation
import Testing
import WireJSON

/// Prompts over a real hub into a real terminal: the agent is `cat` in a PTY (what it gets typed
/// lands in a file), made ready by a stand-in MCP bridge; its turns are reported through the
/// real hook endpoint, as Claude Code's hooks do.
@Suite("Prompts")
struct PromptTests {
    struct Agent {
        let hub: HubProcess
        let id: String
        let typedFile: String
        let hooks: REST
        let bridge: MCPClientProcess

        /// What the agent got typed so far.
        var typed: String { (try? String(contentsOfFile: typedFile, encoding: .utf8)) ?? "" }

        func report(_ event: String, _ fields: [String: JSONValue] = [:]) async throws {
            var payload: [String: JSONValue] = ["hook_event_name": .string(event), "cwd": .string("/tmp")]
            payload.merge(fields) { $1 }
            #expect(try await hooks.post("/hooks/\(id)", json: .object(payload)).status == 200)
        }

        func waitTyped(_ text: String) async throws {
            for _ in 0..<400 where !typed.contains(text) { try await Task.sleep(for: .milliseconds(25)) }
            #expect(typed.contains(text), "typed so far: \(typed.debugDescription)")
        }
    }

    /// `cat` writing what it is typed to a file; `{hook_settings}` (unused by cat) makes it an agent that reports its turns.
    static func agent(_ name: String, arguments: [String] = []) async throws -> Agent {
        let engines = try await FakeSpeechServer.shared()
        let directory = try TestPaths.temporaryDirectory(name + "-typed")
        let hub = try await HubProcess.start(
            name: name, ttsURL: engines.url, sttURL: engines.url, spawner: "pty",
            command: ["sh", "-c", "exec cat > \(directory.path)/{session_id}.txt", "{hook_settings}"], extraSessionLines: ["startup_input: \"\""],
            arguments: arguments)
        return try await session(in: hub, typedTo: directory)
    }

    /// Another such agent in the same hub.
    static func session(in hub: HubProcess, typedTo directory: URL) async throws -> Agent {
        let ready = try await ReadySession.start(in: hub)
        return Agent(hub: hub, id: ready.id, typedFile: "\(directory.path)/\(ready.id).txt",
                     hooks: REST(baseURL: hub.baseURL, token: ready.secret), bridge: ready.bridge)
    }

    func prompt(_ agent: Agent, _ text: String) async throws -> String? {
        let reply = try await agent.hub.rest.post("/api/sessions/\(agent.id)/prompt", json: .object(["text": .string(text)]))
        #expect(reply.status == 202, "\(reply.text)")
        return reply.json?["state"]?.stringValue
    }

    @Test("an idle agent gets a prompt at once; prompts while it works wait for its turn's end and arrive in order, as one")
    func deliveredOrQueued() async throws {
        let agent = try await Self.agent("prompt-queue")
        defer { agent.hub.stop(); agent.bridge.stop() }
        let browser = try await BrowserClient.connect(to: agent.hub, hello: ["prompts"])
        try await agent.report("Stop", ["last_assistant_message": .string("Ready.")])
        #expect(try await prompt(agent, "run the tests") == "delivered")
        try await agent.waitTyped("run the tests\n")
        try await agent.report("UserPromptSubmit")
        try await agent.report("PreToolUse", ["tool_name": .string("Bash"), "tool_input": .object(["command": .string("npm test")])])
        #expect(try await prompt(agent, "then lint") == "queued")
        #expect(try await prompt(agent, "and commit") == "queued")
        let listed = try await agent.hub.rest.get("/api/sessions").json?[0]?["queued_prompts"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["text"]?.stringValue } == ["then lint", "and commit"])
        try await Task.sleep(for: .milliseconds(600))
        #expect(!agent.typed.contains("lint"), "nothing typed into a working agent")
        try await agent.report("PostToolUse", ["tool_name": .string("Bash")])
        try await agent.report("Stop", ["last_assistant_message": .string("Tests pass.")])
        try await agent.waitTyped("then lint\n\nand commit\n")
        #expect(agent.typed == "run the tests\nthen lint\n\nand commit\n")
        // The page saw each one queued, then delivered; the transcript has them as the user's.
        let states = browser.messages.filter { $0["type"]?.stringValue == "prompt_status" }
            .map { "\($0["text"]?.stringValue ?? ""):\($0["state"]?.stringValue ?? "")" }
        #expect(states == ["run the tests:delivered", "then lint:queued", "and commit:queued", "then lint:delivered", "and commit:delivered"])
        let entries = try await agent.hub.rest.get("/api/sessions/\(agent.id)/transcript").json?["entries"]?.arrayValue ?? []
        #expect(entries.filter { $0["role"]?.stringValue == "user" }.compactMap { $0["text"]?.stringValue } == ["run the tests", "then lint", "and commit"])
        // The agent's replies at its turns' ends were read out (this profile reads them in brief).
        #expect(entries.filter { $0["role"]?.stringValue == "assistant" }.compactMap { $0["text"]?.stringValue } == ["Ready.", "Tests pass."])
    }

    @Test("a prompt over the WebSocket, and a recorded one (transcribed first), reach the agent")
    func overTheSocket() async throws {
        let agent = try await Self.agent("prompt-socket")
        defer { agent.hub.stop(); agent.bridge.stop() }
        let browser = try await BrowserClient.connect(to: agent.hub, hello: ["prompts"])
        try await agent.report("Stop")
        try await browser.send(.object(["type": .string("prompt"), "session_id": .string(agent.id), "text": .string("typed in the page")]))
        try await agent.waitTyped("typed in the page\n")
        try await agent.report("Stop")
        // The fake STT hears the recording's bytes as words.
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(agent.id), "purpose": .string("prompt"),
                                        "data": .string(Data("said into the mic".utf8).base64EncodedString())]))
        try await agent.waitTyped("said into the mic\n")
        try await browser.send(.object(["type": .string("prompt"), "session_id": .string(agent.id), "text": .string("  ")]))
        let (_, error) = try await browser.next("error", session: agent.id)
        #expect(error["message"]?.stringValue == "the prompt is empty")
    }

    @Test("bad prompts: empty, too long, not JSON, unknown session, a session that ended; nothing queued is lost silently")
    func badInput() async throws {
        let agent = try await Self.agent("prompt-bad")
        defer { agent.hub.stop(); agent.bridge.stop() }
        let path = "/api/sessions/\(agent.id)/prompt"
        #expect(try await agent.hub.rest.post(path, json: .object(["text": .string(" \n ")])).status == 400)
        let long = try await agent.hub.rest.post(path, json: .object(["text": .string(String(repeating: "x", count: 20_001))]))
        #expect(long.status == 400 && long.text.contains("the limit is 20000"), "\(long.text)")
        #expect(try await agent.hub.rest.send(.POST, path, rawBody: "{oops").status == 400)
        #expect(try await agent.hub.rest.post("/api/sessions/voice-9-gone/prompt", json: .object(["text": .string("hi")])).status == 404)
        #expect(try await REST(baseURL: agent.hub.baseURL).post(path, json: .object(["text": .string("hi")])).status == 401)

        // Held while the agent works; the agent dies: the prompt is reported lost, and kept.
        let browser = try await BrowserClient.connect(to: agent.hub, hello: ["prompts"])
        try await agent.report("UserPromptSubmit")
        #expect(try await prompt(agent, "do not lose me") == "queued")
        let terminal = try await agent.hub.rest.get("/api/sessions").json?[0]?["terminal"]?.stringValue ?? ""
        let pid = try ProcessInspection.agentPID(terminal: terminal, tmuxSocket: agent.hub.tmuxSocket, sessionID: agent.id)
        kill(pid, SIGKILL)
        _ = try await browser.next(timeout: .seconds(30), "prompt lost") {
            $0["type"]?.stringValue == "prompt_status" && $0["state"]?.stringValue == "lost" && $0["text"]?.stringValue == "do not lose me"
        }
        let entries = try await agent.hub.rest.get("/api/sessions/\(agent.id)/transcript").json?["entries"]?.arrayValue ?? []
        #expect(entries.contains { $0["text"]?.stringValue == "do not lose me" })
        let gone = try await agent.hub.rest.post(path, json: .object(["text": .string("hello?")])).status
        #expect(gone == 404 || gone == 409, "a session that ended: \(gone)")
    }

    @Test("a spoken prompt that names another agent goes there without the name; the end word is left out")
    func routedByName() async throws {
        let sky = try await Self.agent("prompt-route")
        defer { sky.hub.stop(); sky.bridge.stop() }
        let adam = try await Self.session(in: sky.hub, typedTo: URL(fileURLWithPath: sky.typedFile).deletingLastPathComponent())
        defer { adam.bridge.stop() }
        let labels = try await sky.hub.rest.get("/api/sessions").json?.arrayValue?.compactMap { $0["label"]?.stringValue } ?? []
        #expect(labels == ["Sky", "Adam"])
        let browser = try await BrowserClient.connect(to: sky.hub, hello: ["prompts"])
        try await sky.report("Stop")
        try await adam.report("Stop")
        // Said in Sky's tab; the fake STT hears the recording's bytes as words.
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(sky.id), "purpose": .string("prompt"),
                                        "end_word": .string("over"),
                                        "data": .string(Data("Adam, run the tests, over.".utf8).base64EncodedString())]))
        try await adam.waitTyped("Run the tests\n")
        let (_, status) = try await browser.next("prompt_status", session: adam.id)
        #expect(status["text"]?.stringValue == "Run the tests" && status["state"]?.stringValue == "delivered")
        #expect(sky.typed.isEmpty, "Sky got nothing: \(sky.typed)")
    }

    @Test("the page's speech: an agent's name in its voice, a quick transcription; turns say their kind")
    func speechForThePage() async throws {
        let agent = try await Self.agent("prompt-speech")
        defer { agent.hub.stop(); agent.bridge.stop() }
        let name = try await agent.hub.rest.get("/api/sessions/\(agent.id)/announce")
        #expect(name.status == 200)
        // The fake TTS says "AUDIO[voice]:<text>".
        #expect(name.text.contains("Sky."), "\(name.text)")
        #expect(name.headers.first(name: "Content-Type") == "audio/mpeg")
        #expect(try await agent.hub.rest.get("/api/sessions/voice-9-gone/announce").status == 404)
        let heard = try await agent.hub.rest.send(.POST, "/api/transcribe", rawBody: "is it over", headers: [("Content-Type", "audio/webm"), ("Authorization", "Bearer \(agent.hub.token)")])
        #expect(heard.status == 200 && heard.json?["text"]?.stringValue == "is it over", "\(heard.text)")
        #expect(try await agent.hub.rest.send(.POST, "/api/transcribe", rawBody: "").status == 400)
        #expect(try await REST(baseURL: agent.hub.baseURL).send(.POST, "/api/transcribe", rawBody: "x").status == 401)
        // A reply read out is a report; a converse that waits is a question.
        let browser = try await BrowserClient.connect(to: agent.hub, hello: ["prompts"])
        try await agent.report("Stop", ["last_assistant_message": .string("All done.")])
        let (_, report) = try await browser.next("assistant_text", session: agent.id)
        #expect(report["kind"]?.stringValue == "report" && report["text"]?.stringValue == "All done.")
    }

    @Test("a prompt held for a working agent survives a hub killed and restarted: the new hub types it")
    func heldAcrossARestart() async throws {
        let port = try FreePort.pick()
        let agent = try await Self.agent("prompt-restart", arguments: ["--port", "\(port)"])
        defer { agent.hub.stop(); agent.bridge.stop() }
        try await agent.report("UserPromptSubmit")
        #expect(try await prompt(agent, "after the restart, run the tests") == "queued")
        await agent.hub.kill()
        let second = try await agent.hub.successor(name: "prompt-restarted", arguments: ["--port", "\(port)"])
        defer { second.stop() }
        // The bridge reconnects by itself; the adopted agent's state is unknown, so it gets the prompt.
        try await agent.waitTyped("after the restart, run the tests\n")
        #expect(try await second.rest.get("/api/sessions").json?[0]?["queued_prompts"] == .array([]))
    }
}
