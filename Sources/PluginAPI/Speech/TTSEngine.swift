import Foundation

/// What to say and how: the text, the engine's own voice name and a speed factor.
public struct SpeechRequest: Sendable, Hashable {
    public var text: String
    /// The engine's voice name (e.g. Kokoro's `af_sky`), not the hub's voice id.
    public var voice: String
    /// 1.0 is normal; engines that cannot change speed ignore it.
    public var speed: Double

    public init(text: String, voice: String, speed: Double = 1.0) {
        self.text = text
        self.voice = voice
        self.speed = speed
    }
}

/// Synthesized speech: its format is known before the first byte, the bytes arrive as they are made.
public struct SpeechAudio: Sendable {
    public let format: AudioFormat
    public let chunks: AsyncThrowingStream<Data, any Error>

    public init(format: AudioFormat, chunks: AsyncThrowingStream<Data, any Error>) {
        self.format = format
        self.chunks = chunks
    }

    /// Collects every chunk, for consumers that need the whole file.
    public func collect(limit: Int = 64 << 20) async throws -> Data {
        var audio = Data()
        for try await chunk in chunks {
            audio.append(chunk)
            if audio.count > limit {
                throw SpeechError.responseTooLarge(limit: limit)
            }
        }
        return audio
    }
}

/// A text-to-speech engine instance, built by a plugin from its config.
public protocol TTSEngine: HealthProbe {
    func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio
    /// True when audio arrives while the engine is still synthesizing (a streamed HTTP body);
    /// the hub then sends a long text in one request. Otherwise it splits the text into sentences
    /// so the first sentence is heard while the rest is made (when `audioFormat` joins).
    var streamsAudio: Bool { get }
    /// The format of the engine's speech when its config fixes it; nil when only each answer
    /// tells. A format that does not join by concatenation keeps long texts in one request.
    var audioFormat: AudioFormat? { get }
    /// The speeds the engine takes (fastkokoro refuses speeds outside 1–2 with HTTP 422): the hub clamps
    /// a voice's speed into it instead of failing the turn. nil: any speed.
    var speedRange: ClosedRange<Double>? { get }
}

extension TTSEngine {
    public var streamsAudio: Bool { false }
    public var audioFormat: AudioFormat? { nil }
    public var speedRange: ClosedRange<Double>? { nil }
}
