import Foundation
@testable import Hub
import Logging
import PluginAPI
import Plugins
import Testing

/// The hub's real SpeechRouter over the real kokoro-http plugin and a real Kokoro (fastkokoro 0.7,
/// started by scripts/test.sh): a voice's speed outside what the server takes is clamped into the
/// configured `speed_range` instead of failing the turn. The plugin's own tests against the same
/// server are PluginTests' KokoroRealTests.
@Suite("SpeechRouter over a real Kokoro", .serialized,
       .enabled(if: RealKokoro.url != nil, "needs CLAWMUX_TEST_KOKORO_URL (scripts/test.sh)"))
struct KokoroRealRouterTests {
    /// A config as a user writes it for fastkokoro, built with the plugin table the executable uses.
    func stack() throws -> SpeechStack {
        let config = try TestConfig.parse([
            "backends:",
            "  kokoro:",
            "    plugin: kokoro-http",
            "    url: \"\(RealKokoro.url ?? "")\"",
            "    response_format: pcm",
            "    speed_range: [1, 2]",
            "    timeout: 60s",
            "  whisper:",
            "    plugin: whisper-http",
            "    url: http://127.0.0.1:9",
            "voices:",
            "  sky: {label: Sky, backend: kokoro, voice: af_sky}",
            "stt:",
            "  backend: whisper",
        ])
        return try SpeechStack(config: config, plugins: PluginTable.all, logger: Logger(label: "test"))
    }

    /// Everything the router yields for `text`, joined.
    func spoken(_ text: String, voice: VoiceRoute, speed: Double, by router: SpeechRouter) async throws -> (audio: Data, formats: Set<AudioFormat>, restarted: Bool) {
        var audio = Data()
        var formats: Set<AudioFormat> = []
        var restarted = false
        for try await piece in router.speak(text, voice: voice, speed: speed) {
            switch piece {
            case .audio(let data, let format, _):
                audio.append(data)
                formats.insert(format)
            case .segmentRestarted:
                restarted = true
            }
        }
        return (audio, formats, restarted)
    }

    @Test("speed 0.5, which the server refuses with 422, is spoken at 1.0; 3.0 at 2.0")
    func speedIsClampedIntoTheConfiguredRange() async throws {
        let stack = try stack()
        let router = stack.router
        let voice = try #require(router.route("sky"))
        let engine = try #require(stack.registry.tts("kokoro"))
        #expect(engine.speedRange == 1.0...2.0)
        let text = "Hello there, how are you today?"

        // The server itself refuses 0.5: without the clamp the turn would fail.
        let refused = try await #require(throws: SpeechError.self) {
            _ = try await engine.synthesize(SpeechRequest(text: text, voice: "af_sky", speed: 0.5)).collect()
        }
        #expect("\(refused)".contains("HTTP 422"), "\(refused)")

        let slow = try await spoken(text, voice: voice, speed: 0.5, by: router)
        #expect(slow.formats == [.pcm16(sampleRate: 24_000)] && !slow.restarted)
        // Kokoro is deterministic: the clamped request is exactly the request at 1.0.
        let atOne = try await engine.synthesize(SpeechRequest(text: text, voice: "af_sky", speed: 1.0)).collect()
        #expect(atOne.count > 24_000, "more than half a second of speech: \(atOne.count) bytes")
        #expect(slow.audio == atOne, "spoken at 1.0: \(slow.audio.count) bytes, at 1.0 directly \(atOne.count)")

        let fast = try await spoken(text, voice: voice, speed: 3.0, by: router)
        let atTwo = try await engine.synthesize(SpeechRequest(text: text, voice: "af_sky", speed: 2.0)).collect()
        #expect(fast.audio == atTwo && fast.audio.count < atOne.count * 3 / 4,
                "spoken at 2.0: \(fast.audio.count) bytes, at 2.0 directly \(atTwo.count), at 1.0 \(atOne.count)")
        #expect(await router.health.isUsable("kokoro"), "nothing failed")
    }
}

/// Where scripts/test.sh says the real Kokoro is.
enum RealKokoro {
    static var url: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_KOKORO_URL"] }
}
