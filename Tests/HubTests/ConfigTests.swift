import Foundation
@testable import Hub
import PluginAPI
import Testing

struct ConfigTests {
    // MARK: The shipped config

    @Test func repositoryConfigParsesWithSevenVoices() throws {
        let text = try String(contentsOf: TestConfig.repoConfigURL, encoding: .utf8)
        let config = try HubConfig.parse(yaml: text, file: "config.yaml", environment: [:])
        #expect(config.voices.count == 7)
        #expect(config.voices.first?.id == "af_sky")
        #expect(config.voices.first?.label == "Sky")
        #expect(config.server.port == 3460)
        #expect(config.sessions.spawner == "tmux")
        #expect(config.sessions.idleTimeout == .seconds(30 * 60))
        #expect(config.sessions.readyTimeout == .seconds(120))
        #expect(config.agents.first { $0.id == "default" } == nil)
        #expect(config.sessions.workRoot == "/tmp/clawmux-sessions")
        #expect(config.stt.chain == ["whisper", "local-whisper"])
        #expect(config.backends.map(\.name) == ["tmux", "pty", "kokoro", "piper", "whisper", "local-whisper"])
        #expect(config.voices.allSatisfy { $0.links.map(\.backend) == ["kokoro", "piper"] }, "Kokoro first, else the local Piper")
        #expect(config.backends.last?.launch?.start == .startup, "the hub launches the local Whisper")
        #expect(config.limits.maxRecordingBytes == 26_214_400)
    }

    @Test func validMinimalConfigKeepsDefaults() throws {
        let config = try TestConfig.parse(TestConfig.validLines)
        #expect(config.file == TestConfig.file)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 3460)
        #expect(config.voices == [VoiceRoute(id: "af_sky", label: "Sky", links: [SpeechLink(backend: "kokoro", engineVoice: "af_sky")])])
        #expect(config.stt.chain == ["whisper"])
        #expect(config.stt.language == nil)
    }

    // MARK: Errors name file, line and key path

    @Test func unknownTopLevelKeyIsNamedWithItsLineAndTheKnownKeys() throws {
        let error = try TestConfig.parseError(TestConfig.validLines + ["bogus: 1"])
        #expect(error.file == TestConfig.file)
        #expect(error.line == TestConfig.validLines.count + 1)
        #expect(error.keyPath == "bogus")
        #expect(error.message.contains("unknown key 'bogus'"))
        #expect(error.message.contains("agents, backends, health, hosts, limits, projects, server, sessions, stt, voices"))
    }

    @Test func nonIntegerPortNamesTheValueLineAndKeyPath() throws {
        let error = try TestConfig.parseError(["server:", "  host: 127.0.0.1", "  port: abc"] + TestConfig.validLines)
        #expect(error.file == TestConfig.file)
        #expect(error.line == 3)
        #expect(error.column == 9)
        #expect(error.keyPath == "server.port")
        #expect(error.message.hasPrefix("expected an integer"))
        #expect(error.description.hasPrefix("test.yaml:3:9: server.port: expected an integer"))
    }

    @Test func portOutOfRangeIsRefused() throws {
        let error = try TestConfig.parseError(["server:", "  port: 70000"] + TestConfig.validLines)
        #expect(error.line == 2)
        #expect(error.keyPath == "server.port")
        #expect(error.message.contains("0...65535"))
    }

    @Test func missingSTTSectionIsRefused() throws {
        let error = try TestConfig.parseError(TestConfig.backendLines + TestConfig.voiceLines)
        #expect(error.file == TestConfig.file)
        #expect(error.message.contains("missing required key 'stt'"))
    }

    @Test func configWithoutVoicesIsRefused() throws {
        let error = try TestConfig.parseError(TestConfig.backendLines + TestConfig.sttLines)
        #expect(error.keyPath == "voices")
        #expect(error.message.contains("at least one voice"))
    }

    @Test func yamlSyntaxErrorReportsItsLine() throws {
        let error = try TestConfig.parseError(["server:", "  port: 3460", "  host: a: b"] + TestConfig.validLines)
        #expect(error.file == TestConfig.file)
        #expect(error.line == 3)
        #expect(error.message.hasPrefix("invalid YAML"))
    }

    @Test func unknownSessionKeyIsRefusedWithItsKeyPath() throws {
        let error = try TestConfig.parseError(["sessions:", "  idle_timout: 5m"] + TestConfig.validLines)
        #expect(error.line == 2)
        #expect(error.keyPath == "sessions.idle_timout")
        #expect(error.message.contains("idle_timeout"))
    }

    @Test func relativeWorkRootIsRefused() throws {
        let error = try TestConfig.parseError(["sessions:", "  work_root: sessions"] + TestConfig.validLines)
        #expect(error.keyPath == "sessions.work_root")
        #expect(error.message.contains("absolute path"))
    }

    @Test func invalidVoiceIDIsRefused() throws {
        let lines = TestConfig.backendLines + ["voices:", "  \"sky/../x\": {backend: kokoro}"] + TestConfig.sttLines
        let error = try TestConfig.parseError(lines)
        #expect(error.line == 9)
        #expect(error.keyPath == "voices.sky/../x")
    }

    // MARK: Environment variables

    @Test func unsetVariableIsAnErrorNamingIt() throws {
        let error = try TestConfig.parseError(["server:", "  host: ${UNSET_VAR}"] + TestConfig.validLines)
        #expect(error.line == 2)
        #expect(error.keyPath == "server.host")
        #expect(error.message.contains("UNSET_VAR"))
    }

    @Test func unterminatedExpansionIsAnError() throws {
        let error = try TestConfig.parseError(["server:", "  host: ${HUB_HOST"] + TestConfig.validLines)
        #expect(error.keyPath == "server.host")
        #expect(error.message.contains("unterminated"))
    }

    @Test func fallbackIsUsedWhenTheVariableIsUnsetOrEmpty() throws {
        let lines = ["sessions:", "  work_root: ${CLAWMUX_TEST_ROOT:-/tmp/fallback}"] + TestConfig.validLines
        #expect(try TestConfig.parse(lines).sessions.workRoot == "/tmp/fallback")
        #expect(try TestConfig.parse(lines, environment: ["CLAWMUX_TEST_ROOT": ""]).sessions.workRoot == "/tmp/fallback")
    }

    @Test func variableWinsOverItsFallbackWhenSet() throws {
        let lines = ["sessions:", "  work_root: ${CLAWMUX_TEST_ROOT:-/tmp/fallback}"] + TestConfig.validLines
        let config = try TestConfig.parse(lines, environment: ["CLAWMUX_TEST_ROOT": "/srv/agents"])
        #expect(config.sessions.workRoot == "/srv/agents")
    }

    @Test func setVariableIsExpandedInsideAValue() throws {
        let lines = ["server:", "  host: ${HUB_HOST}", "  static_dir: ${BASE}/static"] + TestConfig.validLines
        let config = try TestConfig.parse(lines, environment: ["HUB_HOST": "0.0.0.0", "BASE": "/opt/hub"])
        #expect(config.server.host == "0.0.0.0")
        #expect(config.server.staticDirectory == "/opt/hub/static")
    }

    // MARK: The original hub's variables

    @Test func hubPortVariableOverridesTheFile() throws {
        let lines = ["server:", "  port: 4000"] + TestConfig.validLines
        #expect(try TestConfig.parse(lines).server.port == 4000)
        #expect(try TestConfig.parse(lines, environment: ["VOICE_CHAT_HUB_PORT": "5123"]).server.port == 5123)
    }

    @Test func emptyHubPortVariableIsIgnored() throws {
        let lines = ["server:", "  port: 4000"] + TestConfig.validLines
        #expect(try TestConfig.parse(lines, environment: ["VOICE_CHAT_HUB_PORT": ""]).server.port == 4000)
    }

    @Test func timeoutVariableOverridesTheFileInMinutes() throws {
        let lines = ["sessions:", "  idle_timeout: 30m"] + TestConfig.validLines
        #expect(try TestConfig.parse(lines).sessions.idleTimeout == .seconds(1800))
        #expect(try TestConfig.parse(lines, environment: ["VOICE_CHAT_TIMEOUT": "5"]).sessions.idleTimeout == .seconds(300))
        #expect(try TestConfig.parse(lines, environment: ["VOICE_CHAT_TIMEOUT": "1.5"]).sessions.idleTimeout == .seconds(90))
    }

    @Test(arguments: ["abc", "0", "70000", "80.5"])
    func invalidHubPortVariableIsRefused(_ value: String) throws {
        let error = try TestConfig.parseError(TestConfig.validLines, environment: ["VOICE_CHAT_HUB_PORT": value])
        #expect(error.keyPath == "VOICE_CHAT_HUB_PORT")
        #expect(error.message.contains("expected a port number"))
        #expect(error.message.contains(value))
    }

    @Test(arguments: ["soon", "0", "-3"])
    func invalidTimeoutVariableIsRefused(_ value: String) throws {
        let error = try TestConfig.parseError(TestConfig.validLines, environment: ["VOICE_CHAT_TIMEOUT": value])
        #expect(error.keyPath == "VOICE_CHAT_TIMEOUT")
        #expect(error.message.contains("expected minutes"))
    }
}

struct ChainConfigTests {
    @Test func chainsTakeMappingsAndNamesAndDefaultTheEngineVoiceToTheVoiceID() throws {
        let lines = TestConfig.backendLines + [
            "  spare:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:9",
            "voices:",
            "  af_sky: {label: Sky, chain: [{backend: kokoro, voice: sky_v2}, spare], stt: [whisper], language: de}",
            "stt:",
            "  chain: [whisper]",
            "  language: en",
        ]
        let config = try TestConfig.parse(lines)
        let voice = try #require(config.voices.first)
        #expect(voice.links == [SpeechLink(backend: "kokoro", engineVoice: "sky_v2"), SpeechLink(backend: "spare", engineVoice: "af_sky")])
        #expect(voice.sttChain == ["whisper"])
        #expect(voice.language == "de")
        #expect(config.stt.chain == ["whisper"])
        _ = try TestConfig.registry(config)
    }

    @Test func aChainLinkToAnSTTBackendIsNamedWithItsLine() throws {
        let lines = TestConfig.backendLines + [
            "voices:",
            "  af_sky:",
            "    chain:",
            "      - kokoro",
            "      - whisper",
        ] + TestConfig.sttLines
        let error = try TestConfig.registryError(lines)
        #expect(error.line == TestConfig.backendLines.count + 5)
        #expect(error.message.contains("'whisper' is not a TTS backend"))
    }

    @Test func backendAndChainTogetherAreRefused() throws {
        let error = try TestConfig.parseError(TestConfig.backendLines + [
            "voices:",
            "  af_sky: {backend: kokoro, chain: [kokoro]}",
        ] + TestConfig.sttLines)
        #expect(error.message.contains("either 'backend' or 'chain'"))
    }

    @Test func anEmptyChainIsRefused() throws {
        let error = try TestConfig.parseError(TestConfig.backendLines + ["voices:", "  af_sky: {chain: []}"] + TestConfig.sttLines)
        #expect(error.message.contains("at least one backend"))
    }

    @Test func launchNeedsAnArgvAndTakesAHealthURLOrAPort() throws {
        let lines = [
            "backends:",
            "  kokoro:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:8880",
            "    launch:",
            "      argv: [.venv/bin/server, --port, \"8880\"]",
            "      env: {MODEL: tiny}",
            "      health: http://127.0.0.1:8880/health",
            "      start: first_use",
            "  whisper:",
            "    plugin: whisper-http",
            "    url: http://127.0.0.1:8000",
            "    launch: {argv: [whisper-server], port: 8000}",
        ] + TestConfig.voiceLines + TestConfig.sttLines
        let config = try TestConfig.parse(lines)
        let kokoro = try #require(config.backends.first?.launch)
        #expect(kokoro.argv == [".venv/bin/server", "--port", "8880"])
        #expect(kokoro.environment == ["MODEL": "tiny"])
        #expect(kokoro.health == .url("http://127.0.0.1:8880/health"))
        #expect(kokoro.start == .firstUse)
        #expect(config.backends.last?.launch?.health == .port(8000))
        #expect(config.backends.last?.launch?.start == .startup)
        // The plugin does not see `launch`: its options are still valid.
        _ = try TestConfig.registry(config)
    }

    @Test func launchWithBothHealthAndPortIsRefused() throws {
        var lines = TestConfig.validLines
        lines.insert("    launch: {argv: [x], health: http://127.0.0.1:1/, port: 1}", at: 4)
        let error = try TestConfig.parseError(lines)
        #expect(error.keyPath == "backends.kokoro.launch.port")
        #expect(error.message.contains("either 'health'"))
    }
}
