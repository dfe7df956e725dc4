import Foundation
import Hub
import Testing
import ClawMuxTesting

/// A tab that stops reading (hung page, dead network) while the hub has a lot to tell it.
@Suite("Stalled browser")
struct StalledBrowserTests {
    @Test("a tab that stops reading is cut off once its backlog passes the limit; the hub's memory stays flat and another tab converses on")
    func stalledTab() async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "stalled", ttsURL: engines.url, sttURL: engines.url, spawner: "pty",
            topLevelLines: ["limits:", "  max_browser_backlog_bytes: 1048576"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let talk = Conversation(browser: browser, sessionID: id)
        // Long answers the demo agent repeats: a transcript of ~90 KB, replayed on every hello.
        let words = Data(String(repeating: "a stalled tab costs nothing ", count: 530).utf8)
        var turn = try await talk.turn(after: 0, answer: words)
        for _ in 0..<3 { turn = try await talk.turn(after: turn.end, answer: words) }
        let replySize = try await hub.rest.get("/api/sessions/\(id)/transcript").text.utf8.count
        #expect(replySize > 80_000)

        let pid = hub.process.processIdentifier
        let before = try #require(ProcessInspection.memory(pid, "VmRSS"))
        let (token, port) = (hub.token, hub.port)
        // 450 replies of ~90 KB: ~40 MB the hub would hold for this tab without a byte bound.
        let sent = try await Blocking.run { () -> Result<(StalledSocket, Int), any Error> in
            Result {
                let stalled = try StalledSocket(port: port, path: "/ws", token: token)
                var sent = 0
                for _ in 0..<450 {
                    // Once the hub cut the tab off, sending fails: that is the point.
                    guard (try? stalled.sendText(#"{"type":"hello","capabilities":["transcript"]}"#)) != nil else { break }
                    sent += 1
                }
                return (stalled, sent)
            }
        }.get()
        let deadline = ContinuousClock.now + .seconds(30)
        while !hub.log.contains("browser is not reading its messages; cutting it off"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(hub.log.contains("browser is not reading its messages; cutting it off"), "sent \(sent.1) hellos\n\(hub.log)")
        let peak = try #require(ProcessInspection.memory(pid, "VmHWM"))
        #expect(peak - before < 20 << 20, "peak RSS grew by \(peak - before) bytes")

        // The stalled tab's connection is really closed (not just forgotten by the hub), and it
        // got only a part of what it asked for.
        let received = await Blocking.run { sent.0.drainUntilClosed(timeout: 30) }
        let bytes = try #require(received, "the hub never closed the stalled connection")
        #expect(bytes < 450 * replySize / 2)

        // The other tab was never affected: the session converses on.
        let next = try await talk.turn(after: turn.end, answer: Data("still here".utf8))
        #expect(next.said.hasPrefix("You said: a stalled tab"))
        let last = try await talk.turn(after: next.end, answer: nil)
        #expect(last.said == "You said: still here")
        #expect(!browser.isClosed)
    }
}
