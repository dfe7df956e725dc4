import ClawMuxTesting
import Foundation
import PluginAPI
import PluginRuntime
@testable import Plugins
import Testing

/// The kokoro-http plugin against a real Kokoro-82M server (fastkokoro 0.7, which scripts/test.sh
/// installs with scripts/setup-kokoro.sh and starts with `scripts/engines.sh --kokoro-port`).
/// The server synthesizes one request at a time, so these tests run one after another.
@Suite("kokoro-http against a real Kokoro", .serialized,
       .enabled(if: RealKokoro.available, "needs CLAWMUX_TEST_KOKORO_URL (scripts/test.sh)"))
struct KokoroRealTests {
    /// Two sentences: fastkokoro streams them one after the other. Alone, each is ~2.9 s of speech.
    static let twoSentences = "The quick brown fox jumps over the lazy dog. Then it runs into the forest to find its friends."

    /// Built from options the way the plugin table builds it from config.yaml.
    func engine(_ format: String) throws -> any TTSEngine {
        try PluginOptions.tts(KokoroHTTPEngine.descriptor, [
            "url": RealKokoro.url ?? "", "model": "kokoro", "response_format": format, "timeout": "60s",
        ])
    }

    @Test("the health probe passes against the server; a closed port fails at once with a clear error")
    func probe() async throws {
        let detail = try await engine("mp3").probe()
        #expect(detail.hasPrefix("1 model(s) at http://"), "fastkokoro lists one model (kokoro) at /v1/models: \(detail)")

        let closed = try PluginOptions.tts(KokoroHTTPEngine.descriptor, ["url": "http://127.0.0.1:9"])
        let started = ContinuousClock.now
        let error = try await #require(throws: SpeechError.self) { _ = try await closed.probe() }
        let took = ContinuousClock.now - started
        guard case .unreachable(let engine, let why) = error else {
            Issue.record("expected .unreachable, got \(error)")
            return
        }
        #expect(engine == "test" && why.contains("http://127.0.0.1:9"), "\(error)")
        #expect("\(error)".hasPrefix("test is unreachable ("), "\(error)")
        #expect(took < .seconds(3), "a refused connection is reported at once, not retried: \(took)")
    }

    @Test("streamed mp3 of two sentences: the first sentence arrives before the second is made; whole MPEG frames of plausible length")
    func streamedMP3() async throws {
        let engine = try engine("mp3")
        #expect(engine.streamsAudio && engine.audioFormat == .mp3)
        let audio = try await TimedSpeech.of(engine, Self.twoSentences)
        #expect(audio.format == .mp3)
        let first = try #require(audio.arrivals.first), last = try #require(audio.arrivals.last)
        print("kokoro-http mp3: first audio after \(first.milliseconds) ms, all \(audio.bytes.count) bytes after \(last.milliseconds) ms, \(audio.arrivals.count) chunks")
        #expect(audio.arrivals.count > 1, "streamed in pieces")
        // Unstreamed, the whole body arrives in one go (gap ~0); streamed, the second sentence is
        // synthesized (~1.3 s on two cores) after the first was sent.
        #expect(last - first > .milliseconds(200), "first chunk at \(first), last at \(last): the first sentence came before the whole")

        let frames = try MP3Frames(audio.bytes)
        #expect(frames.count > 50, "\(frames.count) frames")
        #expect(frames.sampleRates == [24_000] && frames.mono, "Kokoro speaks mono at 24 kHz: \(frames.sampleRates)")
        #expect(Plausible.seconds(for: Self.twoSentences).contains(frames.seconds),
                "\(frames.seconds) s of MP3 for \(Self.twoSentences.count) characters (one sentence alone is ~2.9 s)")
    }

    @Test("streamed pcm: 16-bit mono at 24 kHz, even byte count, speech not silence, as long as the same text in MP3")
    func streamedPCM() async throws {
        let engine = try engine("pcm")
        #expect(engine.streamsAudio && engine.audioFormat == .pcm16(sampleRate: 24_000))
        let audio = try await TimedSpeech.of(engine, Self.twoSentences)
        #expect(audio.format == .pcm16(sampleRate: 24_000) && audio.format.pcmLayout?.sampleRate == 24_000)
        #expect(audio.arrivals.count > 1, "streamed in pieces")
        #expect(audio.bytes.count % 2 == 0, "whole 16-bit samples: \(audio.bytes.count) bytes")

        let pcm = PCM16(audio.bytes)
        let seconds = Double(pcm.samples.count) / 24_000
        #expect(Plausible.seconds(for: Self.twoSentences).contains(seconds), "\(seconds) s for \(Self.twoSentences.count) characters")
        #expect(pcm.rms > 500 && pcm.loudFraction > 0.15, "speech, not silence: rms \(pcm.rms), loud \(pcm.loudFraction)")
        // Speech sampled at 24 kHz changes little from one sample to the next (~0.25 of its mean
        // level); the same bytes read with the wrong byte order or offset look like noise (~1.3).
        #expect(pcm.roughness < 0.6, "reads as little-endian 16-bit samples: roughness \(pcm.roughness)")

        // The MP3 header says 24 kHz; the PCM at the rate we assume must last as long (the MP3
        // has ~0.09 s of encoder padding per sentence). At 22.05 kHz it would be ~0.5 s shorter.
        let mp3 = try MP3Frames(try await TimedSpeech.of(try self.engine("mp3"), Self.twoSentences).bytes)
        #expect(abs(mp3.seconds - seconds) < 0.4, "PCM \(seconds) s at 24 kHz, MP3 \(mp3.seconds) s")
    }

    @Test("two voices give different audio; one voice gives the same audio twice")
    func voices() async throws {
        let engine = try engine("pcm")
        let text = "Hello there, how are you today?"
        let sky = try await TimedSpeech.of(engine, text, voice: "af_sky").bytes
        let skyAgain = try await TimedSpeech.of(engine, text, voice: "af_sky").bytes
        let adam = try await TimedSpeech.of(engine, text, voice: "am_adam").bytes
        #expect(PCM16(sky).rms > 500 && PCM16(adam).rms > 500, "both speak")
        // Synthesis is deterministic, so a difference below comes from the voice.
        #expect(sky == skyAgain, "same voice, same text: same samples (\(sky.count) vs \(skyAgain.count) bytes)")
        #expect(sky != adam, "af_sky and am_adam sound different (\(sky.count) vs \(adam.count) bytes)")
    }

    @Test("speed 1.5 is clearly shorter than 1.0; 0.5 is refused by the server (the hub clamps it, see KokoroRealRouterTests)")
    func speed() async throws {
        let engine = try engine("pcm")
        let normal = try await TimedSpeech.of(engine, Self.twoSentences, speed: 1.0).bytes.count
        let faster = try await TimedSpeech.of(engine, Self.twoSentences, speed: 1.5).bytes.count
        let ratio = Double(faster) / Double(normal)
        #expect((0.55...0.8).contains(ratio), "1.5× speed: \(faster) of \(normal) bytes (\(ratio))")

        let error = try await #require(throws: SpeechError.self) {
            _ = try await engine.synthesize(SpeechRequest(text: "Hi.", voice: "af_sky", speed: 0.5)).collect()
        }
        guard case .engineStatus(_, let status, _) = error else {
            Issue.record("expected an HTTP status, got \(error)")
            return
        }
        #expect(status == 422, "fastkokoro 0.7 takes speeds 1–2 only: \(error)")
    }

    @Test("an unknown voice is a SpeechError naming the engine, the status and the voice")
    func unknownVoice() async throws {
        let engine = try engine("mp3")
        let error = try await #require(throws: SpeechError.self) {
            _ = try await engine.synthesize(SpeechRequest(text: "Hello.", voice: "zz_nobody")).collect()
        }
        guard case .engineStatus(let name, let status, let body) = error else {
            Issue.record("expected an HTTP status, got \(error)")
            return
        }
        #expect(name == "test" && status == 400, "\(error)")
        #expect(body.contains("zz_nobody"), "the server's reason: \(body)")
        #expect("\(error)".hasPrefix("test answered HTTP 400"), "\(error)")
        // The server is still fine afterwards.
        #expect(try await engine.probe().contains("model(s)"))
    }
}

/// Where scripts/test.sh says the real Kokoro is.
enum RealKokoro {
    static var url: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_KOKORO_URL"] }
    static var available: Bool { url != nil }
}

/// Speech collected with the time each chunk arrived (since the request was sent).
struct TimedSpeech {
    let format: AudioFormat
    let bytes: Data
    let arrivals: [Duration]

    static func of(_ engine: any TTSEngine, _ text: String, voice: String = "af_sky", speed: Double = 1.0) async throws -> TimedSpeech {
        let started = ContinuousClock.now
        let speech = try await engine.synthesize(SpeechRequest(text: text, voice: voice, speed: speed))
        var bytes = Data()
        var arrivals: [Duration] = []
        for try await chunk in speech.chunks where !chunk.isEmpty {
            arrivals.append(ContinuousClock.now - started)
            bytes.append(chunk)
        }
        return TimedSpeech(format: speech.format, bytes: bytes, arrivals: arrivals)
    }
}

/// How long speech of a text may last at speed 1.0: 8 to 20 characters a second (Kokoro reads
/// ~16). For the two-sentence text that is 4.7–11.6 s, and either sentence alone (~2.9 s) is too short.
enum Plausible {
    static func seconds(for text: String) -> ClosedRange<Double> {
        (Double(text.count) / 20)...(Double(text.count) / 8)
    }
}

/// Signed 16-bit little-endian samples and a few measures of them.
struct PCM16 {
    let samples: [Int16]

    init(_ data: Data) {
        let bytes = [UInt8](data)
        samples = (0..<bytes.count / 2).map { Int16(bitPattern: UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8) }
    }

    var rms: Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }

    /// The share of samples louder than 1000 (of 32767).
    var loudFraction: Double {
        guard !samples.isEmpty else { return 0 }
        return Double(samples.reduce(0 as Int) { abs(Int($1)) > 1000 ? $0 + 1 : $0 }) / Double(samples.count)
    }

    /// Mean step between neighbouring samples over the mean level: small for sound, ~1.3 for noise.
    var roughness: Double {
        guard samples.count > 1 else { return .infinity }
        let level = samples.reduce(0.0) { $0 + abs(Double($1)) }
        let steps = zip(samples, samples.dropFirst()).reduce(0.0) { $0 + abs(Double($1.1) - Double($1.0)) }
        guard level > 0 else { return .infinity }
        return (steps / Double(samples.count - 1)) / (level / Double(samples.count))
    }
}

/// Walks an MP3 stream frame by frame (ID3v2 tags allowed between files): every byte must belong
/// to a tag or to a Layer III frame with a valid header, and the last frame must end at the end.
struct MP3Frames {
    private(set) var count = 0
    private(set) var seconds = 0.0
    private(set) var sampleRates: Set<Int> = []
    private(set) var mono = true

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    private static let mpeg1Kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
    private static let mpeg2Kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        var at = 0
        while at < bytes.count {
            guard at + 10 <= bytes.count else {
                throw Malformed(description: "\(bytes.count - at) stray bytes at the end (offset \(at))")
            }
            if bytes[at] == 0x49, bytes[at + 1] == 0x44, bytes[at + 2] == 0x33 { // "ID3"
                let size = bytes[(at + 6)..<(at + 10)].reduce(0 as Int) { $0 << 7 | Int($1 & 0x7F) }
                let footer = bytes[at + 5] & 0x10 != 0 ? 10 : 0
                at += 10 + size + footer
                continue
            }
            guard bytes[at] == 0xFF, bytes[at + 1] & 0xE0 == 0xE0 else {
                let found = String(bytes[at], radix: 16) + " " + String(bytes[at + 1], radix: 16)
                throw Malformed(description: "no frame sync at offset \(at) (\(found)) after \(count) frames")
            }
            let version = Int(bytes[at + 1] >> 3 & 0x3) // 3: MPEG 1, 2: MPEG 2, 0: MPEG 2.5
            let layer = Int(bytes[at + 1] >> 1 & 0x3) // 1: Layer III
            let bitrateIndex = Int(bytes[at + 2] >> 4), rateIndex = Int(bytes[at + 2] >> 2 & 0x3)
            let padding = Int(bytes[at + 2] >> 1 & 0x1)
            guard version != 1, layer == 1, (1...14).contains(bitrateIndex), rateIndex != 3 else {
                throw Malformed(description: "not an MPEG Layer III header at offset \(at): version \(version), layer \(layer), bitrate \(bitrateIndex), rate \(rateIndex)")
            }
            let baseRate = [44_100, 48_000, 32_000][rateIndex]
            let sampleRate = version == 3 ? baseRate : version == 2 ? baseRate / 2 : baseRate / 4
            let bitrate = (version == 3 ? Self.mpeg1Kbps : Self.mpeg2Kbps)[bitrateIndex] * 1000
            let samplesPerFrame = version == 3 ? 1152 : 576
            if bytes[at + 3] >> 6 != 3 { mono = false } // channel mode 3: single channel
            at += samplesPerFrame / 8 * bitrate / sampleRate + padding
            count += 1
            seconds += Double(samplesPerFrame) / Double(sampleRate)
            sampleRates.insert(sampleRate)
        }
        guard at == bytes.count else {
            throw Malformed(description: "the last frame runs \(at - bytes.count) bytes past the end")
        }
        guard count > 0 else { throw Malformed(description: "no frames") }
    }
}
