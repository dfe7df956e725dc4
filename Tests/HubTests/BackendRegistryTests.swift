import Foundation
@testable import Hub
import Logging
import PluginAPI
import Plugins
import Testing

struct BackendRegistryTests {
    @Test func repositoryConfigBuildsEveryBackend() throws {
        let text = try String(contentsOf: TestConfig.repoConfigURL, encoding: .utf8)
        let config = try HubConfig.parse(yaml: text, file: "config.yaml", environment: [:])
        let registry = try TestConfig.registry(config)
        #expect(registry.instances.map(\.name) == ["tmux", "pty", "kokoro", "piper", "whisper", "local-whisper"])
        #expect(registry.instance(named: "kokoro")?.engine.kind == PluginKind.tts)
        #expect(registry.instance(named: "whisper")?.engine.kind == PluginKind.stt)
        #expect(registry.instance(named: "tmux")?.engine.kind == PluginKind.spawner)
    }

    @Test func declaredBackendsAreBuiltWithTheirPlugins() throws {
        let registry = try TestConfig.registry(try TestConfig.parse(TestConfig.validLines))
        #expect(registry.instance(named: "kokoro")?.plugin == "kokoro-http")
        #expect(registry.instance(named: "whisper")?.plugin == "whisper-http")
        _ = try #require(registry.tts("kokoro"))
        _ = try #require(registry.stt("whisper"))
        #expect(registry.instance(named: "nope")?.name == nil)
    }

    @Test func unknownPluginListsTheKnownOnesAndNamesThePluginLine() throws {
        var lines = TestConfig.validLines
        lines[2] = "    plugin: kokoro-grpc"
        let error = try TestConfig.registryError(lines)
        #expect(error.file == TestConfig.file)
        #expect(error.line == 3)
        #expect(error.keyPath == "backends.kokoro.plugin")
        #expect(error.message.contains("unknown plugin 'kokoro-grpc'"))
        #expect(error.message.contains("kokoro-http, whisper-http, wyoming-tts, wyoming-stt, piper, tmux, pty"))
    }

    @Test func voiceOnAnSTTBackendIsRefused() throws {
        let lines = TestConfig.backendLines + ["voices:", "  af_sky: {backend: whisper}"] + TestConfig.sttLines
        let error = try TestConfig.registryError(lines)
        #expect(error.keyPath == "voices.af_sky.backend")
        #expect(error.line == TestConfig.backendLines.count + 2, "the line of the voice's backend")
        #expect(error.message.contains("'whisper' is not a TTS backend"))
        #expect(error.message.contains("kokoro"))
    }

    @Test func voiceOnAnUndeclaredBackendIsRefused() throws {
        let lines = TestConfig.backendLines + ["voices:", "  af_sky: {backend: piper}"] + TestConfig.sttLines
        let error = try TestConfig.registryError(lines)
        #expect(error.keyPath == "voices.af_sky.backend")
        #expect(error.message.contains("'piper'"))
    }

    @Test func sttOnATTSBackendIsRefused() throws {
        let lines = TestConfig.backendLines + TestConfig.voiceLines + ["stt:", "  backend: kokoro"]
        let error = try TestConfig.registryError(lines)
        #expect(error.keyPath == "stt.backend")
        #expect(error.line == lines.count)
        #expect(error.message.contains("'kokoro' is not an STT backend"))
    }

    @Test func spawnerThatIsNotASpawnerIsRefused() throws {
        let error = try TestConfig.registryError(["sessions:", "  spawner: kokoro"] + TestConfig.validLines)
        #expect(error.keyPath == "sessions.spawner")
        #expect(error.message.contains("is not a spawner"))
    }

    @Test func nonHTTPURLOptionIsRefusedWithItsKeyPath() throws {
        var lines = TestConfig.validLines
        lines[3] = "    url: ftp://x"
        let error = try TestConfig.registryError(lines)
        #expect(error.line == 4)
        #expect(error.keyPath == "backends.kokoro.url")
        #expect(error.message.contains("http:// or https://"))
    }

    @Test func misspelledOptionIsRefusedWithItsKeyPath() throws {
        var lines = TestConfig.validLines
        lines.insert("    tiemout: 60s", at: 4)
        let error = try TestConfig.registryError(lines)
        #expect(error.line == 5)
        #expect(error.keyPath == "backends.kokoro.tiemout")
        #expect(error.message.contains("unknown key 'tiemout'"))
        #expect(error.message.contains("timeout"))
    }

    @Test func missingURLOptionIsRefused() throws {
        var lines = TestConfig.validLines
        lines.remove(at: 3)
        let error = try TestConfig.registryError(lines)
        #expect(error.keyPath == "backends.kokoro")
        #expect(error.message.contains("missing required key 'url'"))
    }

    @Test func spawnerNamedByPluginNeedsNoDeclaration() throws {
        let config = try TestConfig.parse(["sessions:", "  spawner: pty"] + TestConfig.validLines)
        #expect(config.backends.map(\.name) == ["kokoro", "whisper"])
        let registry = try TestConfig.registry(config)
        _ = try #require(registry.spawner("pty"))
        #expect(registry.instance(named: "pty")?.plugin == "pty")
    }
}
