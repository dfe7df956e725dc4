import VoiceBridge
import Testing

private let sessionOnly = ["VOICE_HUB_SESSION_ID": "voice-1-abcdef"]

private func problem(
    _ environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation
) throws -> BridgeEnvironment.Problem {
    try #require(throws: BridgeEnvironment.Problem.self, sourceLocation: sourceLocation) {
        try BridgeEnvironment(environment)
    }
}

struct BridgeEnvironmentTests {
    @Test func missingSessionIDIsNamed() throws {
        guard case .missing(let name) = try problem([:]) else {
            Issue.record("expected a missing variable")
            return
        }
        #expect(name == "VOICE_HUB_SESSION_ID")
    }

    @Test func emptySessionIDCountsAsMissing() throws {
        guard case .missing(let name) = try problem(["VOICE_HUB_SESSION_ID": ""]) else {
            Issue.record("expected a missing variable")
            return
        }
        #expect(name == "VOICE_HUB_SESSION_ID")
    }

    @Test(arguments: ["http", "0", "65536", "-1", "34 60"])
    func badPortIsNamedWithItsValue(_ port: String) throws {
        var environment = sessionOnly
        environment["VOICE_CHAT_HUB_PORT"] = port
        guard case .invalid(let name, let value) = try problem(environment) else {
            Issue.record("expected an invalid variable")
            return
        }
        #expect(name == "VOICE_CHAT_HUB_PORT")
        #expect(value == port)
    }

    @Test func negativeReconnectWindowIsRefused() throws {
        var environment = sessionOnly
        environment["VOICE_HUB_RECONNECT_SECONDS"] = "-5"
        guard case .invalid(let name, _) = try problem(environment) else {
            Issue.record("expected an invalid variable")
            return
        }
        #expect(name == "VOICE_HUB_RECONNECT_SECONDS")
    }

    @Test func zeroProgressIntervalIsRefused() throws {
        var environment = sessionOnly
        environment["VOICE_HUB_PROGRESS_SECONDS"] = "0"
        guard case .invalid(let name, _) = try problem(environment) else {
            Issue.record("expected an invalid variable")
            return
        }
        #expect(name == "VOICE_HUB_PROGRESS_SECONDS")
    }

    @Test func defaultsMatchTheOriginalHub() throws {
        let bridge = try BridgeEnvironment(sessionOnly)
        #expect(bridge.sessionID == "voice-1-abcdef")
        #expect(bridge.host == "127.0.0.1")
        #expect(bridge.port == 3460)
        #expect(bridge.token == nil)
        #expect(bridge.reconnectWindow == .seconds(60))
        #expect(bridge.progressInterval == .seconds(15))
    }

    @Test func urlPointsAtTheSessionsBridgeEndpoint() throws {
        let bridge = try BridgeEnvironment(sessionOnly)
        #expect(bridge.url == "ws://127.0.0.1:3460/mcp/voice-1-abcdef")
    }

    @Test func hostAndPortCanBeOverridden() throws {
        let bridge = try BridgeEnvironment([
            "VOICE_HUB_SESSION_ID": "voice-3-0a1b2c", "VOICE_HUB_HOST": "10.0.0.5", "VOICE_CHAT_HUB_PORT": "4000",
        ])
        #expect(bridge.url == "ws://10.0.0.5:4000/mcp/voice-3-0a1b2c")
    }

    @Test func ipv6HostIsBracketed() throws {
        let bridge = try BridgeEnvironment(["VOICE_HUB_SESSION_ID": "voice-1-abcdef", "VOICE_HUB_HOST": "::1"])
        #expect(bridge.url == "ws://[::1]:3460/mcp/voice-1-abcdef")
    }

    @Test func emptyHostFallsBackToLoopback() throws {
        let bridge = try BridgeEnvironment(["VOICE_HUB_SESSION_ID": "voice-1-abcdef", "VOICE_HUB_HOST": ""])
        #expect(bridge.host == "127.0.0.1")
    }

    @Test func tokenIsReadAndEmptyMeansNone() throws {
        var environment = sessionOnly
        environment["VOICE_HUB_SESSION_TOKEN"] = "s3cret"
        #expect(try BridgeEnvironment(environment).token == "s3cret")
        environment["VOICE_HUB_SESSION_TOKEN"] = ""
        #expect(try BridgeEnvironment(environment).token == nil)
    }

    @Test func fractionalSecondsAreKept() throws {
        var environment = sessionOnly
        environment["VOICE_HUB_RECONNECT_SECONDS"] = "2.5"
        environment["VOICE_HUB_PROGRESS_SECONDS"] = "0.25"
        let bridge = try BridgeEnvironment(environment)
        #expect(bridge.reconnectWindow == .milliseconds(2500))
        #expect(bridge.progressInterval == .milliseconds(250))
    }

    @Test func aSocketReplacesHostAndPort() throws {
        var environment = sessionOnly
        environment["VOICE_HUB_SOCKET"] = "/home/me/.cache/clawmux/0123456789ab-box/hub.sock"
        let parsed = try BridgeEnvironment(environment)
        #expect(parsed.socketPath == "/home/me/.cache/clawmux/0123456789ab-box/hub.sock")
        #expect(parsed.url == "ws+unix:///home/me/.cache/clawmux/0123456789ab-box/hub.sock:/mcp/voice-1-abcdef")
        #expect(parsed.pingInterval == .seconds(5))
    }

    @Test(arguments: ["relative/hub.sock", "/" + String(repeating: "x", count: 107)])
    func aSocketPathThatCannotBeUsedIsNamed(_ path: String) throws {
        var environment = sessionOnly
        environment["VOICE_HUB_SOCKET"] = path
        guard case .invalid(let name, let value) = try problem(environment) else {
            Issue.record("expected an invalid variable")
            return
        }
        #expect(name == "VOICE_HUB_SOCKET" && value == path)
    }

    @Test(arguments: ["0", "fast", "-1"])
    func aBadPingIntervalIsNamed(_ seconds: String) throws {
        var environment = sessionOnly
        environment["VOICE_HUB_PING_SECONDS"] = seconds
        guard case .invalid(let name, _) = try problem(environment) else {
            Issue.record("expected an invalid variable")
            return
        }
        #expect(name == "VOICE_HUB_PING_SECONDS")
    }
}
