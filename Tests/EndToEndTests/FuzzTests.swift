import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Random and mutated messages at `/ws` and `/mcp/{id}` for a bounded time: every bad one gets
/// an error (or is dropped), the hub keeps serving, and a session still converses afterwards.
@Suite("Fuzz")
struct FuzzTests {
    /// SplitMix64: a seeded generator, so a failure can be replayed from the seed in the message.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func mutated(_ base: String, _ random: inout Seeded) -> String {
        var bytes = Array(base.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.remove(at: index)
            case 2: bytes.insert(UInt8.random(in: 32...126, using: &random), at: index)
            default: bytes = Array(bytes[..<index])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func message(_ random: inout Seeded, session: String) -> String {
        let valid = [
            #"{"type":"playback_done","session_id":"\#(session)"}"#,
            #"{"type":"audio","session_id":"\#(session)","data":"aGVsbG8=","mime_type":"audio/webm"}"#,
            #"{"type":"hello","capabilities":["audio_stream","transcript"]}"#,
            #"{"type":"converse","message":"hi","wait_for_response":true,"request_id":"r1"}"#,
            #"{"type":"status_check"}"#,
        ]
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return String((0..<Int.random(in: 0...200, using: &random)).map { _ in Character(UnicodeScalar(UInt8.random(in: 0...127, using: &random))) })
        case 1: return #"{"type":\#(["1", "null", "[]", "{}", "\"audio\""].randomElement(using: &random) ?? "1"),"session_id":\#(["7", "null", "\"voice-1-000000\"", "\"../x\""].randomElement(using: &random) ?? "7")}"#
        case 2: return #"{"type":"audio","session_id":"\#(session)","data":"\#(String(repeating: "!", count: Int.random(in: 1...5000, using: &random)))"}"#
        default: return mutated(valid.randomElement(using: &random) ?? "{}", &random)
        }
    }

    @Test("random and mutated messages: the hub keeps answering, and a converse in another session completes meanwhile")
    func fuzz() async throws {
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var random = Seeded(state: seed)
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "fuzz", ttsURL: engines.url, sttURL: engines.url, spawner: "pty")
        defer { hub.stop() }
        let victim = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let bridgeSession = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let mcpConfig = try Data(contentsOf: URL(fileURLWithPath: "\(hub.workRoot)/\(bridgeSession)/.mcp.json"))
        let secret = try #require(JSONValue.decode(String(decoding: mcpConfig, as: UTF8.self))?["mcpServers"]?["voice-hub"]?["env"]?["VOICE_HUB_SESSION_TOKEN"]?.stringValue)

        // A witness session converses through its own browser while the fuzzing goes on.
        let witnessBrowser = try await BrowserClient.connect(to: hub)
        let witness = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Task {
            let talk = Conversation(browser: witnessBrowser, sessionID: witness)
            let greeting = try await talk.turn(after: 0, answer: Data("witness words".utf8), timeout: .seconds(60))
            return try await talk.turn(after: greeting.end, answer: nil, timeout: .seconds(60)).said
        }
        var browser = try await BrowserClient.connect(to: hub)
        var bridge = try await BrowserClient.connect(to: hub.port, path: "/mcp/\(bridgeSession)", headers: [.authorization: "Bearer \(secret)"])
        let deadline = ContinuousClock.now + .seconds(4)
        var sent = 0
        var browserDrops = 0
        while ContinuousClock.now < deadline {
            if browser.isClosed {
                browserDrops += 1
                browser = try await BrowserClient.connect(to: hub)
            }
            if bridge.isClosed { bridge = try await BrowserClient.connect(to: hub.port, path: "/mcp/\(bridgeSession)", headers: [.authorization: "Bearer \(secret)"]) }
            let target = Bool.random(using: &random) ? browser : bridge
            if Int.random(in: 0..<20, using: &random) == 0 {
                try? await target.sendBinary((0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            } else {
                try? await target.sendRaw(Self.message(&random, session: victim))
            }
            sent += 1
            // Paced like a (very) misbehaving page, not a flood: a tab that makes the hub queue
            // more answers than it reads is disconnected on purpose (bounded memory).
            try await Task.sleep(for: .milliseconds(4))
        }
        #expect(sent > 100, "seed \(seed)")
        // Answers are asynchronous: give the last ones a moment.
        _ = try await browser.next(after: 0, timeout: .seconds(10), "an error message") { $0["type"]?.stringValue == "error" }
        #expect(browserDrops == 0 && !browser.isClosed, "bad messages never drop the browser (seed \(seed))")
        #expect(try await hub.rest.get("/healthz").status == 200, "seed \(seed)")

        #expect(try await conversation.value == "You said: witness words", "seed \(seed)")
        let sessions = try await hub.rest.get("/api/sessions").json?.arrayValue?.compactMap { $0["session_id"]?.stringValue } ?? []
        #expect(Set(sessions) == [victim, bridgeSession, witness], "every session is still there (seed \(seed))")
    }
}
