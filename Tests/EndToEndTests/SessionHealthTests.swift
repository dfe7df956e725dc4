import Foundation
import Hub
import Testing
import ClawMuxTesting

/// Sessions end by themselves when their agent dies or when they sit idle, but never while a
/// converse waits for the user.
@Suite("Session health")
struct SessionHealthTests {
    @Test("an agent that exits is noticed and cleaned up within 15 s", arguments: ["tmux", "pty"])
    func deadAgent(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "dead-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner,
            command: ["clawmux", "demo-agent", "--turns", "1"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let created = try #require(try await hub.rest.post("/api/sessions").json)
        let id = try #require(created["session_id"]?.stringValue)
        let workDir = try #require(created["work_dir"]?.stringValue)
        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: 0, answer: Data("bye".utf8))
        // The agent exits after its one turn.
        _ = try await browser.next("session_terminated", session: id, after: turn.end, timeout: .seconds(15))
        #expect(try await hub.rest.get("/api/sessions").json == .array([]))
        #expect(!FileManager.default.fileExists(atPath: workDir))
        #expect(browser.messages.contains { $0["type"]?.stringValue == "session_status" && $0["status"]?.stringValue == "dead" })
    }

    @Test("an idle session is ended after the idle timeout")
    func idleSessionEnds() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "idle", ttsURL: engines.url, sttURL: engines.url,
            command: ["clawmux", "demo-agent", "--turns", "1", "--stay"], extraSessionLines: ["idle_timeout: 1s"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: 0, answer: Data("thanks".utf8))
        _ = try await browser.next("session_terminated", session: id, after: turn.end, timeout: .seconds(10))
        #expect(hub.log.contains("idle for"))
    }

    @Test("a session whose converse waits for the user is not idle")
    func waitingIsNotIdle() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "waiting", ttsURL: engines.url, sttURL: engines.url, extraSessionLines: ["idle_timeout: 1s"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        _ = try await browser.next("audio", session: id)
        try await Task.sleep(for: .seconds(3))
        let sessions = try await hub.rest.get("/api/sessions").json
        #expect(sessions?[0]?["session_id"]?.stringValue == id)
        #expect(sessions?[0]?["status"]?.stringValue == "active")
    }

    @Test("several browsers each get every event; the first playback_done and recording count")
    func severalBrowsers() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "browsers", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let first = try await BrowserClient.connect(to: hub)
        let second = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        for browser in [first, second] {
            _ = try await browser.next("audio", session: id)
        }
        try await second.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        try await first.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        var turn = ""
        for browser in [first, second] {
            turn = try await browser.next("listening", session: id).message["turn"]?.stringValue ?? ""
        }
        // Each names the turn it answers: the one that comes late does not answer the next turn.
        for (browser, words) in [(first, "from the first tab"), (second, "from the second tab")] {
            try await browser.send(.object([
                "type": .string("audio"), "session_id": .string(id), "data": .string(Data(words.utf8).base64EncodedString()),
                "turn": .string(turn),
            ]))
        }
        // Whichever recording reached the hub first is the answer, for both tabs alike.
        var echoes: [String] = []
        for browser in [first, second] {
            let (_, echo) = try await browser.next(after: 0, "the agent's echo") {
                ($0["text"]?.stringValue ?? "").hasPrefix("You said:")
            }
            echoes.append(echo["text"]?.stringValue ?? "")
        }
        #expect(Set(echoes).count == 1)
        #expect(["You said: from the first tab", "You said: from the second tab"].contains(echoes[0]))
        let transcripts = first.messages.filter { $0["type"]?.stringValue == "user_text" }
        #expect(transcripts.count == 1, "only one recording is transcribed")
        let errors = (first.messages + second.messages).filter { $0["type"]?.stringValue == "error" }
        #expect(errors.isEmpty, "\(errors)")
    }
}
