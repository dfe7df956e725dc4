import Foundation
@testable import Hub
import PluginAPI
import Testing

/// `urls:` / `uris:` in a backend's declaration: one pooled backend over the real plugins.
struct EndpointConfigTests {
    static let voiceAndSTT = ["voices:", "  af_sky: {backend: kokoro, label: Sky}", "stt:", "  backend: whisper"]

    @Test func severalURLsMakeOnePooledBackend() throws {
        let registry = try TestConfig.registry(try TestConfig.parse([
            "backends:",
            "  kokoro:",
            "    plugin: kokoro-http",
            "    urls: [http://127.0.0.1:8880, http://127.0.0.1:8881]",
            "    response_format: pcm",
            "  whisper:",
            "    plugin: whisper-http",
            "    urls: [http://127.0.0.1:8000, \"http://127.0.0.1:8001\"]",
            "  wy:",
            "    plugin: wyoming-tts",
            "    uris: [tcp://127.0.0.1:10200, tcp://127.0.0.1:10201, tcp://127.0.0.1:10202]",
        ] + Self.voiceAndSTT))
        let kokoro = try #require(registry.tts("kokoro") as? PooledTTSEngine)
        #expect(kokoro.pool.addresses == ["http://127.0.0.1:8880", "http://127.0.0.1:8881"])
        #expect(kokoro.engines.count == 2 && kokoro.audioFormat == .pcm16(sampleRate: 24000), "each endpoint keeps the other options")
        let whisper = try #require(registry.stt("whisper") as? PooledSTTEngine)
        #expect(whisper.pool.addresses == ["http://127.0.0.1:8000", "http://127.0.0.1:8001"])
        #expect((registry.tts("wy") as? PooledTTSEngine)?.engines.count == 3)
        #expect(registry.instance(named: "kokoro")?.pool != nil && registry.instance(named: "whisper")?.pool != nil)
    }

    @Test func oneURLAndSeveralIsAnErrorOnItsLine() throws {
        let error = try TestConfig.registryError([
            "backends:",
            "  kokoro:",
            "    plugin: kokoro-http",
            "    url: http://127.0.0.1:8880",
            "    urls: [http://127.0.0.1:8881]",
            "  whisper: {plugin: whisper-http, url: http://127.0.0.1:8000}",
        ] + Self.voiceAndSTT)
        #expect(error.line == 5 && error.message == "give 'url' (one endpoint) or 'urls' (several), not both", "\(error)")
    }

    @Test func anEmptyListOrABadAddressIsAnError() throws {
        let empty = try TestConfig.registryError([
            "backends:",
            "  kokoro: {plugin: kokoro-http, urls: []}",
            "  whisper: {plugin: whisper-http, url: http://127.0.0.1:8000}",
        ] + Self.voiceAndSTT)
        #expect(empty.message == "'urls' lists no endpoint", "\(empty)")
        let twice = try TestConfig.registryError([
            "backends:",
            "  kokoro: {plugin: kokoro-http, urls: [http://127.0.0.1:1, http://127.0.0.1:1]}",
            "  whisper: {plugin: whisper-http, url: http://127.0.0.1:8000}",
        ] + Self.voiceAndSTT)
        #expect(twice.message == "'urls' lists an endpoint twice", "\(twice)")
        // Each endpoint is checked by the plugin as if declared alone.
        let bad = try TestConfig.registryError([
            "backends:",
            "  kokoro: {plugin: kokoro-http, urls: [http://127.0.0.1:1, \"ftp://nowhere\"]}",
            "  whisper: {plugin: whisper-http, url: http://127.0.0.1:8000}",
        ] + Self.voiceAndSTT)
        #expect(bad.line == 2 && bad.message.contains("ftp://nowhere"), "\(bad)")
    }

    @Test func anEngineTheHubStartsHasOneEndpoint() throws {
        let error = try TestConfig.registryError([
            "backends:",
            "  kokoro:",
            "    plugin: kokoro-http",
            "    urls: [http://127.0.0.1:8880, http://127.0.0.1:8881]",
            "    launch: {argv: [kokoro-server], port: 8880}",
            "  whisper: {plugin: whisper-http, url: http://127.0.0.1:8000}",
        ] + Self.voiceAndSTT)
        #expect(error.message == "'launch' starts one engine: it cannot have several endpoints", "\(error)")
    }
}
