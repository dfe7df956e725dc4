import Foundation

/// A recording to transcribe.
public struct TranscriptionRequest: Sendable {
    public var audio: Data
    public var format: AudioFormat
    /// ISO-639-1 code (`en`); nil lets the engine detect it.
    public var language: String?

    public init(audio: Data, format: AudioFormat, language: String? = nil) {
        self.audio = audio
        self.format = format
        self.language = language
    }
}

/// A speech-to-text engine instance, built by a plugin from its config.
public protocol STTEngine: HealthProbe {
    /// The transcript, trimmed; empty when the recording holds no speech.
    func transcribe(_ request: TranscriptionRequest) async throws -> String
}
