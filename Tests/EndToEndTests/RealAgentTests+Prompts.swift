import ClawMuxTesting
import Foundation
import Testing
import WireJSON

/// Prompts to the real Claude Code (the scripted model logs each turn's typed prompt): one for
/// an idle agent starts its next turn; ones said while a tool runs wait for the turn's end
/// (Claude Code itself would slip them into the running turn) and arrive in order.
extension RealAgentTests {
    /// Waits for a `session_activity` with this state (of this session, if given); its index and message.
    @discardableResult
    static func activity(_ state: String, of session: String? = nil, after index: Int, browser: BrowserClient) async throws -> (Int, JSONValue) {
        try await browser.next(after: index, timeout: .seconds(90), "activity \(state) \(session ?? "")") {
            $0["type"]?.stringValue == "session_activity" && $0["activity"]?["state"]?.stringValue == state
                && (session == nil || $0["session_id"]?.stringValue == session)
        }
    }

    /// The typed prompts the model has seen, oldest first (each turn's, once).
    static func prompts(_ setup: RealAgentSetup) -> [String] {
        var seen: [String] = []
        for request in setup.model.requests where request["kind"]?.stringValue == "main" {
            if let prompt = request["last_prompt"]?.stringValue, seen.last != prompt { seen.append(prompt) }
        }
        return seen
    }

    static func waitForPrompt(_ setup: RealAgentSetup, _ text: String) async throws {
        for _ in 0..<600 where !prompts(setup).contains(where: { $0.contains(text) }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(prompts(setup).contains { $0.contains(text) }, "the model saw: \(prompts(setup))")
    }

    @Test("prompts: a prompt to an idle Claude Code reaches the model as the user's message, and a recorded one too",
          .timeLimit(.minutes(3)))
    func promptToAnIdleAgent() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-prompt-idle", turns: 1)
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity", "prompts"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let end = try await Self.converse(setup, session: id, browser: browser, turns: 1)
        let (idle, _) = try await Self.activity("idle", after: end, browser: browser)
        let reply = try await hub.rest.post("/api/sessions/\(id)/prompt", json: .object(["text": .string("Please check the build next.")]))
        #expect(reply.status == 202 && reply.json?["state"]?.stringValue == "delivered", "\(reply.text)")
        try await Self.waitForPrompt(setup, "Please check the build next.")
        // The model starts its script again: it greets through converse, which the user answers.
        let next = try await Conversation(browser: browser, sessionID: id).turn(after: idle, answer: Data("answer 1".utf8), timeout: .seconds(90))
        #expect(next.said == setup.said(turn: 1))
        let (_, goodbye) = try await browser.next("assistant_text", session: id, after: next.end, timeout: .seconds(90))
        #expect(goodbye["text"]?.stringValue?.hasPrefix("Goodbye!") == true)
        _ = try await Self.activity("idle", after: next.end, browser: browser)
        // Said into the mic: transcribed (the fake STT hears the bytes), then typed.
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id), "purpose": .string("prompt"),
                                        "data": .string(Data("Now update the changelog.".utf8).base64EncodedString())]))
        try await Self.waitForPrompt(setup, "Now update the changelog.")
    }

    @Test("prompts: said while Claude Code runs a tool, they wait for the turn's end and arrive in order, as one prompt",
          .timeLimit(.minutes(3)))
    func promptsWhileAToolRuns() async throws {
        let setup = try await RealAgentSetup.start(
            .claude, spawner: "tmux", name: "real-prompt-queued", turns: 1, modelArguments: ["--bash-first", "sleep 3; echo done"])
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity", "prompts"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let (toolIndex, _) = try await browser.next(timeout: .seconds(60), "activity tool Bash") {
            $0["type"]?.stringValue == "session_activity" && $0["activity"]?["tool"]?.stringValue == "Bash"
        }
        for text in ["First: run the linter.", "Second: then commit."] {
            let reply = try await hub.rest.post("/api/sessions/\(id)/prompt", json: .object(["text": .string(text)]))
            #expect(reply.json?["state"]?.stringValue == "queued", "\(reply.text)")
        }
        // The turn goes on undisturbed: the greeting, the answer, the goodbye.
        let end = try await Self.converse(setup, session: id, browser: browser, turns: 1, from: toolIndex)
        try await Self.waitForPrompt(setup, "First: run the linter.\n\nSecond: then commit.")
        let delivered = browser.messages[end...].filter { $0["type"]?.stringValue == "prompt_status" && $0["state"]?.stringValue == "delivered" }
        #expect(delivered.compactMap { $0["text"]?.stringValue } == ["First: run the linter.", "Second: then commit."])
        // Not slipped into the first turn: the model saw them only as the next turn's prompt.
        let turns = Self.prompts(setup)
        #expect(turns.count == 2 && turns[1] == "First: run the linter.\n\nSecond: then commit.", "the model saw: \(turns)")
    }
}

extension RealAgentTests {
    @Test("prompts: a prompt to an idle Codex (its notify ended the turn) reaches the model; the conversed turn is not read out",
          .timeLimit(.minutes(3)))
    func promptToIdleCodex() async throws {
        let setup = try await RealAgentSetup.start(.codex, spawner: "tmux", name: "real-prompt-codex", turns: 1)
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity", "prompts"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["agent": .string("codex"), "cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let end = try await Self.converse(setup, session: id, browser: browser, turns: 1)
        _ = try await Self.activity("idle", after: end, browser: browser)
        let reply = try await hub.rest.post("/api/sessions/\(id)/prompt", json: .object(["text": .string("Please check the build next.")]))
        #expect(reply.json?["state"]?.stringValue == "delivered", "\(reply.text)")
        for _ in 0..<600 where !setup.model.requests.contains(where: { $0["prompt"]?.stringValue?.contains("Please check the build next.") == true }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(setup.model.requests.contains { $0["prompt"]?.stringValue?.contains("Please check the build next.") == true },
                "the model saw: \(setup.model.requests.compactMap { $0["prompt"]?.stringValue })")
        let kinds = browser.messages.filter { $0["type"]?.stringValue == "assistant_text" }.compactMap { $0["kind"]?.stringValue }
        #expect(!kinds.contains("report"), "a turn that conversed is not read out: \(kinds)")
    }
}

extension RealAgentTests {
    @Test("prompts: a recorded prompt (Piper's voice through the real STT) reaches an idle Claude Code as its next user message",
          .timeLimit(.minutes(3)), .enabled(if: BrowserUI.available, "needs the real engines of scripts/test.sh"))
    func spokenPromptThroughTheRealSTT() async throws {
        let spoken = try await SpokenAnswer.wav("Please check the build next.")
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-prompt-spoken", turns: 1,
                                                   speechLines: BrowserUI.speechLines)
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity", "prompts"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        var index = 0
        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: index, answer: spoken, format: "audio/wav", timeout: .seconds(90))
        index = turn.end
        _ = try await Self.activity("idle", after: index, browser: browser)
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id), "purpose": .string("prompt"),
                                        "mime_type": .string("audio/wav"), "data": .string(spoken.base64EncodedString())]))
        let (_, status) = try await browser.next("prompt_status", session: id, after: index, timeout: .seconds(60))
        #expect(status["state"]?.stringValue == "delivered", "\(status)")
        let words = status["text"]?.stringValue ?? ""
        #expect(Fuzzy.overlap(expected: "Please check the build next.", heard: words) >= 0.7, "heard: \(words)")
        try await Self.waitForPrompt(setup, words)
    }
}

extension RealAgentTests {
    @Test("prompts: two Claude Code sessions; a spoken prompt said to one that starts with the other's name reaches the other",
          .timeLimit(.minutes(3)))
    func spokenPromptNamesTheOtherAgent() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-prompt-route", turns: 1)
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity", "prompts"])
        var ids: [String] = []
        for _ in 0..<2 {
            let created = try await hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project), "label": .string(ids.isEmpty ? "Sky" : "Adam")]))
            ids.append(try #require(created.json?["session_id"]?.stringValue, "\(created.text)"))
        }
        for id in ids {
            let end = try await Self.converse(setup, session: id, browser: browser, turns: 1)
            _ = try await Self.activity("idle", of: id, after: end, browser: browser)
        }
        let (sky, adam) = (ids[0], ids[1])
        let mark = browser.messages.count
        // Said in Sky's tab (the fake STT hears the bytes as words).
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(sky), "purpose": .string("prompt"),
                                        "data": .string(Data("Adam, please check the build next.".utf8).base64EncodedString())]))
        let (_, status) = try await browser.next("prompt_status", after: mark, timeout: .seconds(60))
        #expect(status["session_id"]?.stringValue == adam && status["state"]?.stringValue == "delivered", "\(status)")
        #expect(status["text"]?.stringValue == "Please check the build next.")
        try await Self.waitForPrompt(setup, "Please check the build next.")
    }
}
