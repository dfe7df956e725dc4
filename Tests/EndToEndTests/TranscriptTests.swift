import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Every turn is kept on disk as it happens, served over REST, and replayed to browsers that ask.
@Suite("Transcripts")
struct TranscriptTests {
    @Test("each turn is in the session's JSON Lines file, GET /transcript and a reconnecting browser's replay, also after DELETE")
    func transcript() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "transcript", ttsURL: engines.url, sttURL: engines.url, spawner: "pty")
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: Data("remember this".utf8))
        _ = try await browser.next("assistant_text", session: id, after: greeting.end)

        let file = hub.directory.appendingPathComponent("state/transcripts/\(id).jsonl").path
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { JSONValue.decode(String($0)) }
        #expect(lines.map { $0["role"]?.stringValue ?? "" } == ["assistant", "user", "assistant"], "\(lines)")
        #expect(lines[1]["text"]?.stringValue == "remember this")
        #expect(lines[2]["text"]?.stringValue == "You said: remember this")
        #expect(lines.allSatisfy { $0["time"]?.doubleValue != nil })
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let rest = try await hub.rest.get("/api/sessions/\(id)/transcript")
        #expect(rest.status == 200)
        #expect(rest.json?["entries"]?.arrayValue?.count == 3)

        let returning = try await BrowserClient.connect(to: hub, hello: ["transcript"])
        let (_, replay) = try await returning.next("transcript", session: id)
        #expect(replay["entries"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.contains("remember this") == true)
        let plain = try await BrowserClient.connect(to: hub)
        _ = try await plain.next("session_list")
        try await Task.sleep(for: .milliseconds(200))
        #expect(!plain.messages.contains { $0["type"]?.stringValue == "transcript" }, "only for browsers that ask")

        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        #expect(try await hub.rest.get("/api/sessions/\(id)/transcript").json?["entries"]?.arrayValue?.count == 3, "kept after the session ended")
        #expect(try await hub.rest.get("/api/sessions/voice-9-abcdef/transcript").status == 404)
        #expect(try await hub.rest.get("/api/sessions/..%2F..%2Ftoken/transcript").status == 404)
    }
}
