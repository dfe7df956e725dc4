import ClawMuxTesting
import Foundation
import Testing
import WireJSON

/// Replies read out: the real Claude Code ends a turn without converse (its `Stop` hook carries
/// the last message); the hub reads it out in brief, once. A turn that conversed is not read.
extension RealAgentTests {
    static let longReply = "I looked at the project. The parser handles tabs now. Two tests were flaky and are fixed. "
        + "The docs are updated too. Nothing else changed.\\n\\n```swift\\nlet parser = Parser()\\n```\\n\\nLet me know what is next."
    static let briefReply = "I looked at the project. The parser handles tabs now. Two tests were flaky and are fixed. And more in the transcript."

    @Test("replies: a turn that ends without converse is read out in brief (code left out); a turn that conversed is not",
          .timeLimit(.minutes(3)))
    func repliesAreReadOut() async throws {
        let setup = try await RealAgentSetup.start(.claude, spawner: "tmux", name: "real-replies", turns: 1,
                                                   modelArguments: ["--text-reply", Self.longReply])
        let hub = setup.hub
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity", "prompts"])
        let created = try await hub.rest.post("/api/sessions", json: .object(["cwd": .string(setup.project)]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let end = try await Self.converse(setup, session: id, browser: browser, turns: 1)
        let (idle, _) = try await Self.activity("idle", after: end, browser: browser)
        let reply = try await hub.rest.post("/api/sessions/\(id)/prompt", json: .object(["text": .string("Summarize what you did (reply in text).")]))
        #expect(reply.json?["state"]?.stringValue == "delivered", "\(reply.text)")
        let (said, text) = try await browser.next("assistant_text", session: id, after: idle, timeout: .seconds(90))
        #expect(text["text"]?.stringValue == Self.briefReply)
        let (_, audio) = try await browser.next("audio", session: id, after: said)
        #expect(audio["data"] != nil)
        _ = try await browser.next("done", session: id, after: said)
        // The first turn ended with a converse goodbye: its last words were not read out.
        let read = browser.messages.filter { $0["type"]?.stringValue == "assistant_text" }.compactMap { $0["text"]?.stringValue }
        #expect(!read.contains { $0.hasPrefix("Conversation finished") }, "\(read)")
        #expect(read.filter { $0 == Self.briefReply }.count == 1)
    }
}
