import Foundation
import Hub
import MCP
import Synchronization
import Testing
import ClawMuxTesting

/// `clawmux mcp` as Claude Code runs it: a child over stdio, driven by the SDK's MCP client.
@Suite("MCP bridge")
struct MCPBridgeTests {
    static func environment(port: Int, extra: [String: String] = [:]) -> [String: String] {
        ["VOICE_HUB_SESSION_ID": "voice-1-abcdef", "VOICE_CHAT_HUB_PORT": "\(port)",
         "VOICE_HUB_SESSION_TOKEN": "secret-token"].merging(extra) { $1 }
    }

    @Test("lists converse and voice_chat_status, forwards converse with the session secret")
    func forwardsConverse() async throws {
        let hub = try await FakeHub.start { _, request, reply in
            if request["type"]?.stringValue == "converse" {
                try await reply(.object(["type": .string("converse_result"), "text": .string("heard: \(request["message"]?.stringValue ?? "")"),
                                         "request_id": request["request_id"] ?? .null]))
            }
            return true
        }
        let bridge = try await MCPClientProcess.start(environment: Self.environment(port: hub.port))
        defer { bridge.stop() }
        let (tools, _) = try await bridge.client.listTools()
        #expect(Set(tools.map(\.name)) == ["converse", "voice_chat_status"])
        #expect(tools.first { $0.name == "converse" }?.description?.contains("loop") == true)
        let answer = try await bridge.callText("converse", ["message": .string("Hi there"), "voice": .string("ignored")])
        #expect(answer == "heard: Hi there")
        #expect(hub.received.first?["type"]?.stringValue == "agent_ready", "the agent listed the tools: the hub hears it first")
        #expect(hub.received.first { $0["type"]?.stringValue == "converse" }?["wait_for_response"]?.boolValue == true)
        #expect(hub.authorizations.first == "Bearer secret-token")
    }

    @Test("answers a plain original-protocol hub that echoes no request id")
    func originalHub() async throws {
        let hub = try await FakeHub.start { _, request, reply in
            switch request["type"]?.stringValue {
            case "converse": try await reply(.object(["type": .string("converse_result"), "text": .string("ok")]))
            case "status_check": try await reply(.object(["type": .string("status_result"), "connected": .bool(true)]))
            default: break
            }
            return true
        }
        let bridge = try await MCPClientProcess.start(environment: Self.environment(port: hub.port))
        defer { bridge.stop() }
        #expect(try await bridge.callText("converse", ["message": .string("x"), "wait_for_response": .bool(false)]) == "ok")
        #expect(hub.received.first?["wait_for_response"]?.boolValue == false)
        #expect(try await bridge.callText("voice_chat_status").contains("a browser is listening"))
    }

    @Test("a converse in flight is re-sent after the hub connection drops, with the same request id")
    func resendsAfterReconnect() async throws {
        let hub = try await FakeHub.start { connection, request, reply in
            guard request["type"]?.stringValue == "converse" else { return true }
            if connection == 1 { return false }  // drop the socket mid-converse
            try await reply(.object(["type": .string("converse_result"), "text": .string("after reconnect"),
                                     "request_id": request["request_id"] ?? .null]))
            return true
        }
        let bridge = try await MCPClientProcess.start(environment: Self.environment(port: hub.port))
        defer { bridge.stop() }
        #expect(try await bridge.callText("converse", ["message": .string("hello")]) == "after reconnect")
        let ids = hub.received.compactMap { $0["request_id"]?.stringValue }
        #expect(ids.count == 2)
        #expect(Set(ids).count == 1)
    }

    @Test("a hub that falls silent (its link cut) is pinged, given up after three silent intervals, and connected to again")
    func silentHubIsLeft() async throws {
        let hub = try SilentHub()
        let bridge = try await MCPClientProcess.start(
            environment: Self.environment(port: hub.port, extra: ["VOICE_HUB_PING_SECONDS": "0.2"]))
        defer { bridge.stop() }
        let deadline = ContinuousClock.now + .seconds(20)
        while hub.connections < 2 {
            guard ContinuousClock.now < deadline else { throw TestFailure("the bridge stayed on a silent hub: \(hub.connections) connection(s)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The first connection's frames, as sent: pings (opcode 9) before it was given up.
        let opcodes = Self.opcodes(ofClientFrames: hub.bytes(of: 0))
        #expect(opcodes.filter { $0 == 0x9 }.count >= 1, "pings before giving up: \(opcodes)")
    }

    /// The opcodes of a client's (masked) WebSocket frames, in order; a cut-off last frame is left out.
    static func opcodes(ofClientFrames bytes: [UInt8]) -> [UInt8] {
        var opcodes: [UInt8] = []
        var index = 0
        while index + 2 <= bytes.count {
            var length = Int(bytes[index + 1] & 0x7F)
            var header = 2
            if length == 126, index + 4 <= bytes.count {
                length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                header = 4
            } else if length == 127, index + 10 <= bytes.count {
                length = bytes[(index + 2)..<(index + 10)].reduce(0) { $0 << 8 | Int($1) }
                header = 10
            }
            let end = index + header + 4 + length
            guard end <= bytes.count else { break }
            opcodes.append(bytes[index] & 0x0F)
            index = end
        }
        return opcodes
    }

    @Test("a hub that answers pings (Hummingbird's WebSocket, as the hub's) keeps its one connection while quiet")
    func quietHubIsKept() async throws {
        let hub = try await FakeHub.start { _, request, reply in
            if request["type"]?.stringValue == "status_check" {
                try await reply(.object(["type": .string("status_result"), "connected": .bool(true)]))
            }
            return true
        }
        let bridge = try await MCPClientProcess.start(
            environment: Self.environment(port: hub.port, extra: ["VOICE_HUB_PING_SECONDS": "1"]))
        defer { bridge.stop() }
        _ = try await bridge.client.listTools()
        // Four ping intervals of quiet, with pongs (the in-process hub may be slow under a
        // parallel test run: it has 3 s for each); unanswered, the connection would have ended.
        try await Task.sleep(for: .seconds(4))
        #expect(try await bridge.callText("voice_chat_status").contains("a browser is listening"))
        #expect(hub.recorder.connections.withLock { $0 } == 1)
    }

    @Test("an unreachable hub gives a clear error instead of a hang")
    func unreachableHub() async throws {
        let bridge = try await MCPClientProcess.start(
            environment: Self.environment(port: 9, extra: ["VOICE_HUB_RECONNECT_SECONDS": "1"]))
        defer { bridge.stop() }
        let started = ContinuousClock.now
        let answer = try await bridge.callText("converse", ["message": .string("anyone?")])
        #expect(answer.hasPrefix("Error: the ClawMux hub at ws://127.0.0.1:9/mcp/voice-1-abcdef is unreachable"))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await bridge.callText("voice_chat_status").contains("unreachable"))
    }

    @Test("sends progress notifications while a converse waits, when the client asked for them")
    func progress() async throws {
        let hub = try await FakeHub.start { _, request, reply in
            if request["type"]?.stringValue == "converse" {
                try await Task.sleep(for: .milliseconds(1200))
                try await reply(.object(["type": .string("converse_result"), "text": .string("done"), "request_id": request["request_id"] ?? .null]))
            }
            return true
        }
        let bridge = try await MCPClientProcess.start(
            environment: Self.environment(port: hub.port, extra: ["VOICE_HUB_PROGRESS_SECONDS": "0.2"]))
        defer { bridge.stop() }
        let count = Mutex(0)
        await bridge.client.onNotification(ProgressNotification.self) { _ in count.withLock { $0 += 1 } }
        let answer = try await bridge.callText("converse", ["message": .string("wait")], meta: Metadata(progressToken: .string("p1")))
        #expect(answer == "done")
        #expect(count.withLock { $0 } >= 3)
    }
}
