import Foundation
import Hub
import Testing
import ClawMuxTesting

/// The whole loop over real sockets and processes: hub, spawner (real tmux / real PTY),
/// demo agent, `clawmux mcp` bridge, a WebSocket browser. Engines are fakes that answer
/// predictably (the real ones are in RealEngineTests).
@Suite("Converse round trip")
struct ConverseRoundTripTests {
    @Test("a recorded answer reaches the agent, in the original's message order", arguments: ["tmux", "pty"])
    func roundTrip(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "roundtrip-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner)
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        _ = try await browser.next("session_list")

        let created = try await hub.rest.post("/api/sessions")
        #expect(created.status == 200, "\(created.text)\n\(hub.log)")
        let id = try #require(created.json?["session_id"]?.stringValue)
        // Ready when POST answers; the demo agent may already be talking (active).
        #expect(["ready", "active"].contains(created.json?["status"]?.stringValue ?? ""))
        #expect(created.json?["mcp_connected"]?.boolValue == true)

        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: Data("what is the weather on mars".utf8))
        #expect(greeting.said.hasPrefix("Hello!"))
        #expect(String(decoding: greeting.audio, as: UTF8.self) == "AUDIO[af_sky]:\(greeting.said)")
        #expect(greeting.audioFormat == "audio/mpeg")
        #expect(greeting.types == ["assistant_text", "status", "audio", "listening", "status", "user_text", "done"])

        // The agent's next words prove it received the transcript.
        let echo = try await conversation.turn(after: greeting.end, answer: nil)
        #expect(echo.said == "You said: what is the weather on mars")
    }

    @Test("voice and speed set over REST reach the engine on the next turn, and Markdown is not read aloud")
    func voiceAndSpeedReachTheEngine() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "speed", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let rest = hub.rest
        let id = try #require(try await rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Conversation(browser: browser, sessionID: id)
        // While the greeting waits for an answer, change how the next turn sounds.
        let speed = try await rest.put("/api/sessions/\(id)/speed", json: .object(["speed": .number(1.5)]))
        #expect(speed.json?["speed"]?.doubleValue == 1.5)
        let changed = try await rest.put("/api/sessions/\(id)/voice", json: .object(["voice": .string("am_adam")]))
        #expect(changed.status == 200)
        // The tab was named after the voice: its name follows, and every browser hears of it.
        #expect(try await rest.get("/api/sessions").json?[0]?["label"]?.stringValue == "Adam")
        _ = try await browser.next(after: 0, "session_status with the new voice") {
            $0["type"]?.stringValue == "session_status" && $0["voice"]?.stringValue == "am_adam" && $0["label"]?.stringValue == "Adam"
        }
        let greeting = try await conversation.turn(after: 0, answer: Data("**bold** words".utf8))
        let echo = try await conversation.turn(after: greeting.end, answer: nil)
        #expect(echo.said == "You said: **bold** words", "the transcript shows the text as written")
        #expect(String(decoding: echo.audio, as: UTF8.self) == "AUDIO[am_adam@1.5]:You said: bold words")
    }

    @Test("two sessions conversing at once get no cross-talk")
    func twoSessions() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "two", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let rest = hub.rest
        async let first = rest.post("/api/sessions")
        async let second = rest.post("/api/sessions")
        let ids = try await [first, second].map { try #require($0.json?["session_id"]?.stringValue) }
        #expect(Set(ids).count == 2)
        let voices = try await rest.get("/api/sessions").json
        if case .array(let sessions)? = voices {
            #expect(Set(sessions.compactMap { $0["voice"]?.stringValue }).count == 2, "new sessions get distinct voices")
        }

        async let turnA = Conversation(browser: browser, sessionID: ids[0]).turn(after: 0, answer: Data("alpha one".utf8))
        async let turnB = Conversation(browser: browser, sessionID: ids[1]).turn(after: 0, answer: Data("bravo two".utf8))
        let (a, b) = try await (turnA, turnB)
        async let echoA = Conversation(browser: browser, sessionID: ids[0]).turn(after: a.end, answer: nil)
        async let echoB = Conversation(browser: browser, sessionID: ids[1]).turn(after: b.end, answer: nil)
        let (replyA, replyB) = try await (echoA, echoB)
        #expect(replyA.said == "You said: alpha one")
        #expect(replyB.said == "You said: bravo two")
    }

    @Test("muted mic, failing STT and failing TTS each reach the agent as a clear text")
    func mutedAndEngineErrors() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "errors", ttsURL: engines.url, sttURL: engines.url,
            command: ["clawmux", "demo-agent", "--greeting", "FAIL-TTS hello", "--muted-pause", "0"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)

        // The greeting's TTS fails: the browser sees an error status, the agent an Error: text.
        let (statusIndex, status) = try await browser.next(after: 0, "TTS error status") {
            $0["type"]?.stringValue == "status" && ($0["text"]?.stringValue ?? "").hasPrefix("Error: text-to-speech failed")
        }
        #expect(status["session_id"]?.stringValue == id)
        let conversation = Conversation(browser: browser, sessionID: id)
        let report = try await conversation.turn(after: statusIndex, answer: Data())
        #expect(report.said.contains("text-to-speech failed"))

        // An empty recording is a muted mic.
        let muted = try await conversation.turn(after: report.end, answer: Data("FAIL-STT please".utf8))
        #expect(muted.said == "You're muted. Unmute when you want to talk.")
        #expect(muted.types.contains("status"))

        // The STT failure of that last turn comes back as an error.
        let sttFailure = try await conversation.turn(after: muted.end, answer: nil)
        #expect(sttFailure.said.contains("speech-to-text failed"))
        // What the user said is not lost: the recording is kept in the session dir.
        let workDir = try #require(try await hub.rest.get("/api/sessions").json?[0]?["work_dir"]?.stringValue)
        let kept = try FileManager.default.contentsOfDirectory(atPath: workDir + "/recordings")
        #expect(kept.count == 1)
        #expect(FileManager.default.contents(atPath: workDir + "/recordings/" + (kept.first ?? "")) == Data("FAIL-STT please".utf8))
    }
}
