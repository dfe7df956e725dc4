import Foundation
import Hub
import Testing
import ClawMuxTesting

@Suite("REST errors")
struct RESTErrorTests {
    @Test("unknown sessions, unknown voices and bad bodies get the right status and a JSON error")
    func clientErrors() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "rest", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let rest = hub.rest

        let missing = try await rest.delete("/api/sessions/voice-9-abcdef")
        #expect(missing.status == 404)
        #expect(missing.json?["error"]?.stringValue?.contains("not found") == true)
        #expect(try await rest.put("/api/sessions/voice-9-abcdef/voice", json: .object(["voice": .string("af_sky")])).status == 404)

        let badVoice = try await rest.post("/api/sessions", json: .object(["voice": .string("nope")]))
        #expect(badVoice.status == 400)
        #expect(badVoice.json?["error"]?.stringValue?.contains("af_sky, am_adam") == true)
        #expect(try await rest.post("/api/sessions?voice=nope").status == 400)
        let badBody = try await rest.send(.POST, "/api/sessions", rawBody: "{not json", headers: [("Content-Type", "application/json")])
        #expect(badBody.status == 400)

        let created = try await rest.post("/api/sessions?label=Research&voice=am_adam")
        #expect(created.status == 200)
        #expect(created.json?["label"]?.stringValue == "Research")
        #expect(created.json?["voice"]?.stringValue == "am_adam")
        let id = try #require(created.json?["session_id"]?.stringValue)
        let wrongVoice = try await rest.put("/api/sessions/\(id)/voice", json: .object(["voice": .string("xx")]))
        #expect(wrongVoice.status == 400)
        #expect(try await rest.put("/api/sessions/\(id)/voice", json: .object(["voice": .string("af_sky")])).json?["voice"]?.stringValue == "af_sky")
        #expect(try await rest.get("/api/sessions").json?[0]?["voice"]?.stringValue == "af_sky")
        #expect(try await rest.get("/api/sessions").json?[0]?["label"]?.stringValue == "Research", "a label the user chose stays")
        #expect(try await rest.put("/api/sessions/\(id)/speed", json: .object(["speed": .number(3)])).status == 400)
        #expect(try await rest.put("/api/sessions/voice-9-abcdef/speed", json: .object(["speed": .number(1)])).status == 404)
        let badLabel = try await rest.post("/api/sessions", json: .object(["label": .string("bad\u{7}label")]))
        #expect(badLabel.status == 400)
    }

    @Test("a missing agent command is 503")
    func missingCommand() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "nocmd", ttsURL: engines.url, sttURL: engines.url, command: ["no-such-agent-command"])
        defer { hub.stop() }
        let reply = try await hub.rest.post("/api/sessions")
        #expect(reply.status == 503)
        #expect(reply.json?["error"]?.stringValue?.contains("no-such-agent-command") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: hub.workRoot).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test("an agent that exits during start-up is 503 with its last output", arguments: ["tmux", "pty"])
    func agentExits(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "exits-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner,
            command: ["sh", "-c", "echo agent-is-broken; exit 3"])
        defer { hub.stop() }
        let reply = try await hub.rest.post("/api/sessions")
        #expect(reply.status == 503, "\(reply.text)")
        if spawner == "pty" {
            #expect(reply.json?["error"]?.stringValue?.contains("agent-is-broken") == true)
        }
    }

    @Test("max sessions reached is 503; a bridge that never connects is 504 and cleaned up")
    func capacityAndTimeout() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "cap", ttsURL: engines.url, sttURL: engines.url, spawner: "pty", command: ["sleep", "60"],
            extraSessionLines: ["max_sessions: 1", "ready_timeout: 4s"])
        defer { hub.stop() }
        let rest = hub.rest
        let accepted = try await rest.post("/api/sessions?wait=false")
        #expect(accepted.status == 202)
        #expect(accepted.json?["status"]?.stringValue == "starting")
        let full = try await rest.post("/api/sessions")
        #expect(full.status == 503)
        #expect(full.json?["error"]?.stringValue?.contains("max_sessions") == true)
        let id = try #require(accepted.json?["session_id"]?.stringValue)
        #expect(try await rest.delete("/api/sessions/\(id)").status == 200)

        let timedOut = try await rest.post("/api/sessions")
        #expect(timedOut.status == 504, "\(timedOut.text)")
        #expect(try await rest.get("/api/sessions").json == .array([]))

        // Started without waiting (as the page does), it times out all the same, and the
        // browsers hear why.
        let browser = try await BrowserClient.connect(to: hub)
        let unwatched = try #require(try await rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        let (_, error) = try await browser.next(after: 0, timeout: .seconds(30), "the timeout's error") {
            $0["type"]?.stringValue == "error" && $0["session_id"]?.stringValue == unwatched
        }
        #expect(error["message"]?.stringValue?.contains("was not ready within") == true)
        _ = try await browser.next("session_terminated", session: unwatched)
        #expect(try await rest.get("/api/sessions").json == .array([]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: hub.workRoot).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test("static files come only from static/")
    func staticFiles() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "static", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let rest = hub.rest
        let page = try await rest.get("/")
        #expect(page.status == 200)
        #expect(page.text.contains("<html"))
        for path in ["/static/../Package.swift", "/static/%2e%2e/Package.swift", "/static//etc/passwd", "/static/..%2fPackage.swift"] {
            let reply = try await rest.get(path)
            #expect(reply.status == 404, "\(path) -> \(reply.status)")
            #expect(!reply.text.contains("swift-tools-version") && !reply.text.contains("root:"))
        }
    }
}
