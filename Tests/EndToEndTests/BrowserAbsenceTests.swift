import Foundation
import Hub
import Testing
import ClawMuxTesting

/// A converse that waits for the browser survives the browser going away: a browser that comes
/// back picks it up; if none does, the agent is told that nobody is listening.
@Suite("Browser absence")
struct BrowserAbsenceTests {
    @Test("the browser disconnects mid-converse; another one connects, gets the pending audio, and its recording completes the converse")
    func reconnect() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "absence-reconnect", ttsURL: engines.url, sttURL: engines.url, spawner: "pty")
        defer { hub.stop() }
        let first = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        _ = try await first.next("audio", session: id)
        first.close()

        try await Task.sleep(for: .milliseconds(300))
        let second = try await BrowserClient.connect(to: hub)
        let (audioIndex, audio) = try await second.next("audio", session: id)
        let replayed = String(decoding: Data(base64Encoded: audio["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
        #expect(replayed.hasPrefix("AUDIO[af_sky]:Hello!"), "\(replayed)")
        try await second.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        _ = try await second.next("listening", session: id, after: audioIndex)
        try await second.send(.object(["type": .string("audio"), "session_id": .string(id), "data": .string(Data("back again".utf8).base64EncodedString())]))
        let (_, said) = try await second.next(after: audioIndex, "the agent's next words") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == id
        }
        #expect(said["text"]?.stringValue == "You said: back again")
    }

    @Test("no browser comes back: the agent is told nobody is listening, and the session stays usable")
    func nobodyListening() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "absence-timeout", ttsURL: engines.url, sttURL: engines.url, spawner: "pty",
            command: ["clawmux", "demo-agent", "--muted-pause", "0"], extraSessionLines: ["no_listener_timeout: 1s"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        _ = try await browser.next("audio", session: id)
        browser.close()
        let terminal = URL(fileURLWithPath: hub.workRoot).appendingPathComponent(id).appendingPathComponent("terminal.log").path
        var log = ""
        for _ in 0..<100 where !log.contains("User: (nobody is listening") {
            try await Task.sleep(for: .milliseconds(100))
            log = (try? String(contentsOfFile: terminal, encoding: .utf8)) ?? ""
        }
        #expect(log.contains("User: (nobody is listening: no browser has been connected to the hub for 1 s"), "\(log)")
        // The session is still there and its agent talks on (the next converse waits for a browser again).
        let returning = try await BrowserClient.connect(to: hub)
        let (_, said) = try await returning.next(after: 0, "the agent's next words") {
            $0["type"]?.stringValue == "audio" && $0["session_id"]?.stringValue == id
        }
        let text = String(decoding: Data(base64Encoded: said["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
        #expect(text.contains("Is anyone there?"), "\(text)")
    }
}

@Suite("Oversize recordings")
struct OversizeRecordingTests {
    @Test("a recording over the limit gets an error and the tab stays; a far bigger frame closes only that socket; the converse goes on")
    func oversize() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "oversize", ttsURL: engines.url, sttURL: engines.url, spawner: "pty",
            topLevelLines: ["limits: {max_recording_bytes: 65536}"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let (audioIndex, _) = try await browser.next("audio", session: id)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        _ = try await browser.next("listening", session: id, after: audioIndex)

        let tooBig = Data(repeating: 65, count: 100_000)
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id), "data": .string(tooBig.base64EncodedString())]))
        let (errorIndex, error) = try await browser.next(after: audioIndex, "an error") { $0["type"]?.stringValue == "error" }
        #expect(error["message"]?.stringValue == "recording larger than 65536 bytes")
        #expect(!browser.isClosed)

        // Far beyond the limit: the socket is closed, the hub and the converse are not.
        let huge = try await BrowserClient.connect(to: hub)
        try await huge.sendRaw(String(repeating: "x", count: 400_000))
        for _ in 0..<200 where !huge.isClosed { try await Task.sleep(for: .milliseconds(100)) }
        #expect(huge.isClosed)
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id), "data": .string(Data("small enough".utf8).base64EncodedString())]))
        let (_, said) = try await browser.next(after: errorIndex, "the agent's next words") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == id
        }
        #expect(said["text"]?.stringValue == "You said: small enough")
    }
}
