import ClawMuxTesting
import Foundation
@testable import Hub
import Logging
import PluginAPI
import PluginRuntime
import Testing

/// Failover and health through the real router and health book, with engines of the test
/// process (the subprocess suites in SpeechRoutingTests stay as the end-to-end check).
struct SpeechFailoverTests {
    let first = FakeTTSEngine(name: "first")
    let second = FakeTTSEngine(name: "second", format: .pcm16(sampleRate: 16000))
    let ears = FakeSTTEngine(name: "ears", tagged: true)
    let spare = FakeSTTEngine(name: "spare", tagged: true)

    func router() throws -> SpeechRouter {
        let config = try TestConfig.parse([
            "sessions:",
            "  spawner: terminal",
            "backends:",
            "  terminal: {plugin: fake-spawner}",
            "  first: {plugin: fake-tts}",
            "  second: {plugin: fake-tts}",
            "  ears: {plugin: fake-stt}",
            "  spare: {plugin: fake-stt}",
            "voices:",
            "  sky: {label: Sky, chain: [{backend: first, voice: sky_v1}, {backend: second, voice: sky_v2}]}",
            "stt:",
            "  chain: [ears, spare]",
            "health:",
            "  interval: 1h",
            "  retry_interval: 1h",
        ])
        let plugins = FakePlugins.table(tts: [first, second], stt: [ears, spare], spawners: [FakeSpawner(name: "terminal")])
        return try SpeechStack(config: config, plugins: plugins, logger: Logger(label: "test")).router
    }

    func speak(_ text: String, with router: SpeechRouter) async throws -> (pieces: [SpeechPiece], joined: AudioJoiner.Part?) {
        let voice = try #require(router.route("sky"))
        var pieces: [SpeechPiece] = []
        var joiner = AudioJoiner()
        for try await piece in router.speak(SpokenText.from(text), voice: voice, speed: 1) {
            pieces.append(piece)
            _ = joiner.add(piece)
        }
        return (pieces, try await joiner.finish())
    }

    @Test func aFailingEngineIsSkippedForTheNextAndThenUntilAProbePasses() async throws {
        let router = try router()
        first.mode = .fails
        let spoken = try await speak("Hello there.", with: router)
        #expect(spoken.joined?.format == .wav, "the second engine's PCM, as one WAV")
        #expect(first.requests.count == 1 && second.requests.map(\.voice) == ["sky_v2"])
        #expect(await router.health.isUsable("first") == false)
        first.mode = .speaks
        _ = try await speak("Again.", with: router)
        #expect(first.requests.count == 1, "down: not asked again before a probe passes")
        #expect(second.requests.count == 2)
    }

    @Test func aSentenceAnEngineDroppedMidwayIsSpokenAgainByTheNextWithoutTheFirstHalf() async throws {
        let router = try router()
        first.mode = .failsAfterFirstChunk
        let spoken = try await speak("Only sentence.", with: router)
        #expect(spoken.pieces.contains(.segmentRestarted(segment: 0)))
        let audio = try #require(spoken.joined)
        var decoder = WAVStreamDecoder()
        #expect(String(decoding: try decoder.feed(audio.audio), as: UTF8.self) == "AUDIO[sky_v2]:Only sentence.")
    }

    @Test func aRefusedRequestFallsOverButKeepsTheEngineInUse() async throws {
        let router = try router()
        first.mode = .refuses
        _ = try await speak("Hi.", with: router)
        #expect(second.requests.count == 1)
        #expect(await router.health.isUsable("first"), "a 400 is the request's fault, not the engine's")
    }

    @Test func everyEngineFailingIsOneErrorNamingEach() async throws {
        let router = try router()
        first.mode = .fails
        second.mode = .fails
        await #expect(throws: ChainFailure.self) { _ = try await speak("Hi.", with: router) }
        do {
            _ = try await speak("Hi.", with: router)
        } catch {
            #expect("\(error)".contains("first") && "\(error)".contains("second"), "\(error)")
        }
    }

    @Test func transcriptionFallsOverToTheNextEngineOfTheChain() async throws {
        let router = try router()
        ears.fails = true
        let text = try await router.transcribe(Data("yes".utf8), format: .webm, voice: router.route("sky"))
        #expect(text == "spare:yes")
        #expect(await router.health.isUsable("ears") == false)
        ears.fails = false
        #expect(try await router.transcribe(Data("again".utf8), format: .webm, voice: nil) == "spare:again")
        #expect(ears.transcriptions == 1)
    }

    @Test func aSpeedOutsideTheEnginesRangeIsClampedNotAnError() async throws {
        let slowest = FakeTTSEngine(name: "first", speedRange: 1.0...4.0)
        let config = try TestConfig.parse([
            "sessions:", "  spawner: terminal",
            "backends:", "  terminal: {plugin: fake-spawner}", "  first: {plugin: fake-tts}", "  ears: {plugin: fake-stt}",
            "voices:", "  sky: {label: Sky, backend: first, voice: sky_v1}",
            "stt:", "  backend: ears",
        ])
        let plugins = FakePlugins.table(tts: [slowest], stt: [FakeSTTEngine(name: "ears")], spawners: [FakeSpawner(name: "terminal")])
        let router = try SpeechStack(config: config, plugins: plugins, logger: Logger(label: "test")).router
        let voice = try #require(router.route("sky"))
        for speed in [0.5, 1.25, 6.0] {
            for try await _ in router.speak("Hello.", voice: voice, speed: speed) {}
        }
        #expect(slowest.requests.map(\.speed) == [1.0, 1.25, 4.0])
    }
}
