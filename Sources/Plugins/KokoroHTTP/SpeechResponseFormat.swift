import PluginAPI

/// The `response_format` values of the OpenAI speech API and what the browser gets for each.
struct SpeechResponseFormat: Sendable {
    let name: String
    let audioFormat: AudioFormat

    static let names = ["mp3", "wav", "opus", "flac", "aac", "pcm"]
    static let mp3 = SpeechResponseFormat(name: "mp3", audioFormat: .mp3)

    init(name: String, audioFormat: AudioFormat) {
        self.name = name
        self.audioFormat = audioFormat
    }

    /// `pcm` is headerless 16-bit mono at the engine's rate (24 kHz for Kokoro and OpenAI).
    init?(name: String, pcmSampleRate: Int) {
        switch name {
        case "mp3": self.init(name: name, audioFormat: .mp3)
        case "wav": self.init(name: name, audioFormat: .wav)
        case "opus": self.init(name: name, audioFormat: .ogg)
        case "flac": self.init(name: name, audioFormat: .flac)
        case "aac": self.init(name: name, audioFormat: AudioFormat(mimeType: "audio/aac"))
        case "pcm": self.init(name: name, audioFormat: .pcm16(sampleRate: pcmSampleRate))
        default: return nil
        }
    }
}
