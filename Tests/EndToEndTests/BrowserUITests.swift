#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// The page (static/) in a real headless Chromium, driven by Tests/Browser/drive.py, against a
/// real hub: Piper and local-tts-studio speak, faster-whisper-server transcribes, the demo agent
/// answers in tmux, and a fake microphone says `BrowserUI.sentence`. drive.py asserts what the
/// page shows; these tests assert what the hub saw. Screenshots: .build/ui-artifacts/<scenario>/.
@Suite("Browser UI", .serialized, .enabled(if: BrowserUI.available, "run scripts/test.sh: it starts the real engines"))
struct BrowserUITests {
    static let sentence = BrowserUI.sentence

    func heard(_ entries: [(role: String, text: String)], role: String, _ check: (String) -> Bool) -> Bool {
        entries.contains { $0.role == role && check($0.text) }
    }

    @Test("(a) New Session: the agent speaks, Auto mode records, VAD stops, the agent hears the words")
    func endToEnd() async throws {
        let hub = try await BrowserUI.hub("end-to-end", agent: ["--turns", "2", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "end-to-end")
        let session = try #require(facts["session"]?.stringValue)
        let entries = try await BrowserUI.transcript(hub, session)
        #expect(heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 }, "\(entries)")
        #expect(heard(entries, role: "assistant") { $0.hasPrefix("You said") && Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 })
        #expect((facts["phone_overflow_px"]?.doubleValue ?? 1) <= 0, "the page is wider than a 390 px phone")
        #expect(facts["phone_offscreen"]?.arrayValue?.isEmpty == true, "controls off a 390x844 screen: \(facts["phone_offscreen"] ?? .null)")
    }

    @Test("(b) Muted before New Session: the agent gets (session muted) and says so")
    func muted() async throws {
        let hub = try await BrowserUI.hub("mute", agent: ["--turns", "2", "--stay", "--muted-pause", "0.5"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "mute")
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        #expect(heard(entries, role: "assistant") { $0 == "You're muted. Unmute when you want to talk." }, "\(entries)")
        #expect(!heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) > 0 }, "nothing was recorded: \(entries)")
    }

    @Test("(c) Barge-in: tapping the mic during a long greeting stops it and records the answer")
    func bargeIn() async throws {
        let greeting = "Hello! I am the demo agent, and today I will tell you a rather long story. "
            + "It begins on a quiet morning by the sea. The fishermen were out early, and the gulls followed their boats. "
            + "Nobody expected what happened next. Say something whenever you like."
        let hub = try await BrowserUI.hub("barge-in", agent: ["--turns", "2", "--stay", "--greeting", greeting])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "barge-in")
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        #expect(heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 }, "\(entries)")
        #expect(heard(entries, role: "assistant") { $0.hasPrefix("You said") })
    }

    @Test("(d) A session made over REST stays in the background until its tab is chosen")
    func background() async throws {
        let hub = try await BrowserUI.hub("background", agent: ["--turns", "1", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "background") { name, _ in
            guard name == "create-session" else { throw TestFailure("unexpected sync \(name)") }
            let created = try await hub.rest.post("/api/sessions")
            let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
            return .object(["session": .string(id)])
        }
        for key in ["session", "session_b"] {
            let entries = try await BrowserUI.transcript(hub, try #require(facts[key]?.stringValue))
            #expect(heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 }, "\(key): \(entries)")
        }
    }

    @Test("(e) The hub is killed and restarted: the page reconnects and the pending converse completes")
    func reconnect() async throws {
        let port = try FreePort.pick()
        let first = try await BrowserUI.hub("reconnect", agent: ["--turns", "2", "--stay"], arguments: ["--port", "\(port)"])
        defer { first.stop() }
        var second: HubProcess?
        defer { second?.stop() }
        let facts: JSONValue
        do {
            facts = try await BrowserUI.drive(first, "reconnect") { name, _ in
                switch name {
                case "kill-hub":
                    await first.kill()
                case "restart-hub":
                    // Same port, config, state dir and token: tmux sessions are adopted, the cookie still works.
                    second = try await first.successor(name: "ui-reconnect-again", arguments: ["--port", "\(port)"])
                default:
                    throw TestFailure("unexpected sync \(name)")
                }
                return .object([:])
            }
        } catch {
            throw TestFailure("\(error)\nrestarted hub's log (end):\n\(second?.log.suffix(3000) ?? "not started")")
        }
        let hub = try #require(second)
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        #expect(heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 }, "\(entries)")
        #expect(heard(entries, role: "assistant") { $0.hasPrefix("You said") })
    }

    @Test("(f) A voice chosen in #voice speaks the next turn, on the other engine")
    func voiceChange() async throws {
        let hub = try await BrowserUI.hub("voice", agent: ["--turns", "2", "--stay"])
        defer { hub.stop() }
        var before: [String: Double] = [:]
        let facts = try await BrowserUI.drive(hub, "voice") { name, _ in
            guard name == "voice-changed" else { throw TestFailure("unexpected sync \(name)") }
            before = try await BrowserUI.lastUsed(hub)
            return .object([:])
        }
        let after = try await BrowserUI.lastUsed(hub)
        let old = try #require(facts["voice_before"]?.stringValue.flatMap { BrowserUI.backendOfVoice[$0] })
        let new = try #require(facts["voice_after"]?.stringValue.flatMap { BrowserUI.backendOfVoice[$0] })
        #expect((after[new] ?? 0) > (before[new] ?? 0), "\(new) spoke the next turn: before \(before), after \(after)")
        #expect(after[old] == before[old], "\(old) did not speak again: before \(before), after \(after)")
        // Piper's PCM and the studio's MP3 reach the page as different formats.
        let format = facts["next_turn_format"]?.stringValue ?? ""
        #expect(new == "studio" ? format == "audio/mpeg" : format.hasPrefix("audio/pcm") || format == "audio/wav", "\(format)")
        let labels = ["joe": "Joe", "studio": "Studio"]
        #expect(facts["label_after"]?.stringValue == facts["voice_after"]?.stringValue.flatMap { labels[$0] },
                "the tab, named after the old voice, follows the new one: \(facts)")
    }

    @Test("(g) The cockpit: activity on every tab; a background agent asks permission → badge, cue, notification, its card; Allow by tap")
    func cockpit() async throws {
        let hub = try await BrowserUI.hub("cockpit", agent: ["--turns", "1", "--stay"])
        defer { hub.stop() }
        var hook: Task<(status: Int32, output: String), any Error>?
        let facts = try await BrowserUI.drive(hub, "cockpit") { name, message in
            switch name {
            case "create-session":
                let created = try await hub.rest.post("/api/sessions?wait=false")
                return .object(["session": .string(try #require(created.json?["session_id"]?.stringValue, "\(created.text)"))])
            case "ask-permission":
                // The agent's hook, as Claude Code runs it: it waits for the user's decision.
                let id = try #require(message["session"]?.stringValue)
                hook = PermissionTests.hook(hub.mcpConfigPath(id))
                for _ in 0..<400 {
                    if let request = try await hub.rest.get("/api/sessions/\(id)/permissions").json?[0]?["request_id"] {
                        return .object(["request_id": request])
                    }
                    try await Task.sleep(for: .milliseconds(25))
                }
                throw TestFailure("the hook's request never reached the hub\n\(hub.log.suffix(2000))")
            default:
                throw TestFailure("unexpected sync \(name)")
            }
        }
        let printed = try await #require(hook).value
        #expect(PermissionTests.decision(printed.output) == .object(["behavior": .string("allow")]), "the hook printed: \(printed.output)")
        #expect(facts["resolved"]?["decision"]?.stringValue == "allow" && facts["resolved"]?["by"]?.stringValue == "user")
        #expect(facts["sw"]?["type"]?.stringValue == "text/javascript" && facts["manifest"]?["type"]?.stringValue == "application/manifest+json",
                "\(facts["sw"] ?? .null) \(facts["manifest"] ?? .null)")
        #expect((facts["phone_overflow_px"]?.doubleValue ?? 1) <= 0, "the page is wider than a 390 px phone")
    }

    @Test("(h) Hands-free: two agents heard one at a time, each after its name; answers for the right one; two reports at once in turn; a typed prompt")
    func handsFree() async throws {
        let hub = try await BrowserUI.hub("hands-free", agent: ["--turns", "2", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "hands-free") { name, message in
            switch name {
            case "create-session":
                let created = try await hub.rest.post("/api/sessions?wait=false")
                return .object(["session": .string(try #require(created.json?["session_id"]?.stringValue, "\(created.text)"))])
            case "reports":
                // Both agents end a turn without converse at the same moment: their Stop hooks.
                let ids = message["sessions"]?.arrayValue?.compactMap(\.stringValue) ?? []
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in ids {
                        group.addTask {
                            // A turn of its own (a prompt typed in its terminal) that ends without converse.
                            let hooks = REST(baseURL: hub.baseURL, token: try hub.sessionSecret(id))
                            for payload: JSONValue in [
                                .object(["hook_event_name": .string("UserPromptSubmit")]),
                                .object(["hook_event_name": .string("Stop"), "last_assistant_message": .string(Self.report)]),
                            ] {
                                let sent = try await hooks.post("/hooks/\(id)", json: payload)
                                guard sent.status == 200 else { throw TestFailure("hook for \(id): \(sent.status) \(sent.text)") }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                return .object([:])
            default:
                throw TestFailure("unexpected sync \(name)")
            }
        }
        for key in ["session", "session_b"] {
            let entries = try await BrowserUI.transcript(hub, try #require(facts[key]?.stringValue))
            #expect(heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 }, "\(key): \(entries)")
            #expect(heard(entries, role: "assistant") { $0.hasPrefix("You said") }, "\(key): \(entries)")
            #expect(heard(entries, role: "assistant") { $0 == Self.report }, "\(key): the report was read out: \(entries)")
        }
        #expect(facts["overlaps"]?.doubleValue == 0)
        let announcements = facts["announcements"]?.arrayValue ?? []
        #expect(!announcements.isEmpty && announcements.allSatisfy { $0["how"]?.stringValue == "ended" && ($0["bytes"]?.doubleValue ?? 0) > 0 },
                "every name was heard: \(announcements)")
        #expect(facts["prompt"]?["states"]?.arrayValue?.contains(.string("lost")) == false)
        let first = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        #expect(heard(first, role: "user") { $0 == "Please summarize the project." })
        #expect((facts["phone_overflow_px"]?.doubleValue ?? 1) <= 0, "the page is wider than a 390 px phone")
    }

    static let report = "All the tests pass. I updated the changelog."

    @Test("(j) Push-to-talk records while Space is held; the end word 'over' ends a recording at once and is left out")
    func holdAndEndWord() async throws {
        // "<sentence>, over." then 0.7 s of quiet, then more words: the end word must cut them off.
        let first = try await SpokenAnswer.wav("Please run the unit tests now, over.")
        let later = try await SpokenAnswer.wav("These words come later.")
        let wav = try TestPaths.temporaryDirectory("end-word-mic").appendingPathComponent("mic.wav")
        try WAVJoin.join([first, later], silence: 0.7).write(to: wav)
        let hub = try await BrowserUI.hub("hold-end-word", agent: ["--turns", "4", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "hold-and-end-word", wav: wav.path, expect: "Please run the unit tests now.")
        #expect(facts["held_stop"]?.stringValue == "release")
        #expect(facts["end_word_stop"]?.stringValue == "end-word")
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        let users = entries.filter { $0.role == "user" }.map(\.text)
        #expect(users.count >= 2 && !users[1].lowercased().contains("over") && !users[1].lowercased().contains("later"), "\(users)")
    }

    @Test("(i) One voice at a time: during a long report a question and then a permission request wait; the permission is heard first")
    func permissionFirst() async throws {
        let hub = try await BrowserUI.hub("priority", agent: ["--turns", "1", "--stay"])
        defer { hub.stop() }
        let watcher = try await BrowserClient.connect(to: hub, hello: ["permissions"])
        var hook: Task<(status: Int32, output: String), any Error>?
        let long = "I went through every module of the project and checked each test by hand, one at a time, slowly. "
            + "The parser, the lexer and the code generator all pass their tests now, after a long afternoon of work. "
            + "I also rewrote the changelog so that every change of this week is listed with its reason and its author."
        let facts = try await BrowserUI.drive(hub, "priority") { name, message in
            switch name {
            case "setup":
                let a = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
                let b = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
                return .object(["a": .string(a), "b": .string(b)])
            case "report":
                let id = try #require(message["session"]?.stringValue)
                let hooks = REST(baseURL: hub.baseURL, token: try hub.sessionSecret(id))
                _ = try await hooks.post("/hooks/\(id)", json: .object(["hook_event_name": .string("UserPromptSubmit")]))
                _ = try await hooks.post("/hooks/\(id)", json: .object(["hook_event_name": .string("Stop"), "last_assistant_message": .string(long)]))
                return .object([:])
            case "ask-both":
                // A new agent greets (a question); once its words are out, another asks permission.
                let mark = watcher.messages.count
                let c = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
                _ = try await watcher.next("assistant_text", session: c, after: mark, timeout: .seconds(60))
                let b = try #require(message["permission"]?.stringValue)
                hook = PermissionTests.hook(hub.mcpConfigPath(b))
                return .object(["c": .string(c)])
            case "deny":
                let b = try #require(message["session"]?.stringValue)
                let request = try #require(try await hub.rest.get("/api/sessions/\(b)/permissions").json?[0]?["request_id"]?.stringValue)
                _ = try await hub.rest.post("/api/sessions/\(b)/permissions/\(request)", json: .object(["decision": .string("deny")]))
                return .object([:])
            default:
                throw TestFailure("unexpected sync \(name)")
            }
        }
        let b = try #require(facts["session_b"]?.stringValue), c = try #require(facts["session_c"]?.stringValue)
        #expect(facts["order"]?.arrayValue?.prefix(2).map { $0.stringValue ?? "" } == ["\(b):permission", "\(c):question"])
        #expect(facts["overlaps"]?.doubleValue == 0)
        let printed = try await #require(hook).value
        #expect(PermissionTests.decision(printed.output)?["behavior"]?.stringValue == "deny", "the hook printed: \(printed.output)")
    }

    @Test("(k) Pauses of 0.8 s and 0.6 s inside a sentence do not end the answer: streamed and heard whole, twice")
    func pausesInsideASentence() async throws {
        // One sentence said in three parts, with the pauses exactly as long as stated between
        // them (each part trimmed), after a second of quiet: the first samples may be lost while
        // the mic opens. The default pause setting (900 ms) must not end it at either pause.
        let parts = ["Please open the main file,", "then run the unit tests,", "and write a short summary."]
        var spoken: [Data] = []
        for part in parts { spoken.append(try await SpokenAnswer.wav(part)) }
        let wav = try TestPaths.temporaryDirectory("pauses-mic").appendingPathComponent("mic.wav")
        try WAVJoin.join(trimmed: spoken, lead: 1, pauses: [0.8, 0.6]).write(to: wav)
        // Three turns: the greeting and two "You said: …", each asking again.
        let hub = try await BrowserUI.hub("pauses", agent: ["--turns", "3", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "pauses", wav: wav.path, expect: parts.joined(separator: " | "))
        #expect(facts["turns"]?.arrayValue?.count == 2, "\(facts)")
        let sentence = parts.joined(separator: " ")
        func whole(_ text: String) -> Bool {
            Fuzzy.overlap(expected: sentence, heard: text) >= 0.8
                && Fuzzy.overlap(expected: parts[0], heard: text) >= 0.75 && Fuzzy.overlap(expected: parts[2], heard: text) >= 0.75
        }
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        let answers = entries.filter { $0.role == "user" }.map(\.text)
        #expect(answers.count >= 2 && answers.prefix(2).allSatisfy(whole), "each answer whole, none cut at a pause: \(answers)")
        let echoes = entries.filter { $0.role == "assistant" && $0.text.hasPrefix("You said") }.map(\.text)
        #expect(echoes.count >= 2 && echoes.prefix(2).allSatisfy(whole), "\(echoes)")
    }

    @Test("(l) Without AudioWorklet the page records with MediaRecorder and sends the answer whole; the agent hears it")
    func wholeRecording() async throws {
        let hub = try await BrowserUI.hub("whole-recording", agent: ["--turns", "2", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "whole-recording")
        let sent = facts["sent_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(sent.contains("audio") && !sent.contains { $0.hasPrefix("recording_") }, "the page sent \(sent)")
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        #expect(heard(entries, role: "user") { Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 }, "\(entries)")
        #expect(heard(entries, role: "assistant") { $0.hasPrefix("You said") && Fuzzy.overlap(expected: Self.sentence, heard: $0) >= 0.7 })
    }

    @Test("(m) Closing the page mid-answer sends nothing half-said; the next page answers the same question whole")
    func closeMidAnswer() async throws {
        let answer = "Please run the unit tests in the parser module first. Then update the snapshot files. After that, commit everything with a short message."
        let wav = try TestPaths.temporaryDirectory("close-mid-answer-mic").appendingPathComponent("answer.wav")
        try await SpokenAnswer.wav(answer).write(to: wav)
        let hub = try await BrowserUI.hub("close-mid-answer", agent: ["--turns", "2", "--stay"])
        defer { hub.stop() }
        let facts = try await BrowserUI.drive(hub, "close-mid-answer", wav: wav.path, expect: answer)
        let entries = try await BrowserUI.transcript(hub, try #require(facts["session"]?.stringValue))
        let answers = entries.filter { $0.role == "user" }.map(\.text)
        #expect(answers.count == 1 && Fuzzy.overlap(expected: answer, heard: answers[0]) >= 0.7,
                "one answer, the whole one from the second page: \(answers)")
    }
}
