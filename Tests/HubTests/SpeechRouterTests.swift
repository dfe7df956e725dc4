import ClawMuxTesting
@testable import Hub
import Logging
import PluginAPI
import Testing

/// A router over three voices of one engine (of the test process), in this order: af_sky,
/// am_adam (engine voice adam_v2), bm_fable.
private func threeVoiceRouter() throws -> SpeechRouter {
    let lines = [
        "sessions:",
        "  spawner: terminal",
        "backends:",
        "  terminal: {plugin: fake-spawner}",
        "  kokoro: {plugin: fake-tts}",
        "  whisper: {plugin: fake-stt}",
        "voices:",
        "  af_sky: {backend: kokoro, label: Sky}",
        "  am_adam: {backend: kokoro, voice: adam_v2, label: Adam}",
        "  bm_fable: {backend: kokoro, label: Fable}",
    ] + TestConfig.sttLines
    let config = try TestConfig.parse(lines)
    let plugins = FakePlugins.table(
        tts: [FakeTTSEngine(name: "kokoro")], stt: [FakeSTTEngine(name: "whisper")], spawners: [FakeSpawner(name: "terminal")])
    return try SpeechStack(config: config, plugins: plugins, logger: Logger(label: "test")).router
}

struct SpeechRouterTests {
    @Test func routeFindsAVoiceByID() throws {
        let router = try threeVoiceRouter()
        let route = try #require(router.route("am_adam"))
        #expect(route.label == "Adam")
        #expect(route.backend == "kokoro")
        #expect(route.engineVoice == "adam_v2")
    }

    @Test func routeOfAnUnknownVoiceIsNil() throws {
        let router = try threeVoiceRouter()
        #expect(router.route("af_nobody") == nil)
    }

    @Test func engineVoiceDefaultsToTheVoiceID() throws {
        let router = try threeVoiceRouter()
        #expect(router.route("bm_fable")?.engineVoice == "bm_fable")
    }


    @Test func validIDsKeepTheConfigOrder() throws {
        let router = try threeVoiceRouter()
        #expect(router.validIDs == ["af_sky", "am_adam", "bm_fable"])
    }

    @Test func distinctVoiceIsTheFirstWhenNoneIsUsed() throws {
        let router = try threeVoiceRouter()
        #expect(router.distinctVoice(avoiding: []).id == "af_sky")
    }

    @Test func distinctVoiceSkipsUsedVoices() throws {
        let router = try threeVoiceRouter()
        #expect(router.distinctVoice(avoiding: ["af_sky"]).id == "am_adam")
        #expect(router.distinctVoice(avoiding: ["af_sky", "am_adam"]).id == "bm_fable")
        #expect(router.distinctVoice(avoiding: ["am_adam"]).id == "af_sky")
    }

    @Test func distinctVoiceWrapsToTheFirstWhenAllAreUsed() throws {
        let router = try threeVoiceRouter()
        #expect(router.distinctVoice(avoiding: ["af_sky", "am_adam", "bm_fable"]).id == "af_sky")
    }

    @Test func distinctVoiceIgnoresIDsItDoesNotKnow() throws {
        let router = try threeVoiceRouter()
        #expect(router.distinctVoice(avoiding: ["someone_else"]).id == "af_sky")
    }
}
