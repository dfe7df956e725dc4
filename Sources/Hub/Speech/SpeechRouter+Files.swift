import Foundation
import PluginAPI

extension SpeechRouter {
    /// Speaks `text` into one file (WAV for PCM engines, else the engine's own format), for
    /// `clawmux say`.
    public func speakToFile(_ text: String, voice voiceID: String, speed: Double = 1.0) async throws -> (audio: Data, format: AudioFormat) {
        guard let voice = route(voiceID) else {
            throw SessionError.unknownVoice(voiceID, valid: validIDs)
        }
        var joiner = AudioJoiner()
        for try await piece in speak(SpokenText.from(text), voice: voice, speed: speed) {
            _ = joiner.add(piece)
        }
        guard let joined = try await joiner.finish() else { throw ChainFailure(attempts: []) }
        return (joined.audio, joined.format)
    }

    /// Transcribes a recording with the STT chain (of `voice`, if given), for `clawmux transcribe`.
    public func transcribeFile(_ audio: Data, format: AudioFormat, voice voiceID: String? = nil) async throws -> String {
        var voice: VoiceRoute?
        if let voiceID {
            guard let known = route(voiceID) else { throw SessionError.unknownVoice(voiceID, valid: validIDs) }
            voice = known
        }
        return try await transcribe(audio, format: format, voice: voice)
    }
}
