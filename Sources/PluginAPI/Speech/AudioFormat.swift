import Foundation

/// The encoding of audio bytes, as a MIME type the browser understands
/// (`audio/mpeg`, `audio/wav`, `audio/pcm;rate=22050`, `audio/webm`).
public struct AudioFormat: Sendable, Hashable, CustomStringConvertible {
    public let mimeType: String

    public init(mimeType: String) {
        self.mimeType = mimeType
    }

    public static let mp3 = AudioFormat(mimeType: "audio/mpeg")
    public static let wav = AudioFormat(mimeType: "audio/wav")
    public static let ogg = AudioFormat(mimeType: "audio/ogg")
    public static let webm = AudioFormat(mimeType: "audio/webm")
    public static let flac = AudioFormat(mimeType: "audio/flac")

    /// Raw signed 16-bit little-endian mono samples.
    public static func pcm16(sampleRate: Int) -> AudioFormat {
        AudioFormat(mimeType: "audio/pcm;rate=\(sampleRate)")
    }

    /// The MIME type without parameters (`audio/webm;codecs=opus` → `audio/webm`).
    public var baseType: String {
        String(mimeType.split(separator: ";", maxSplits: 1).first ?? Substring(mimeType))
            .trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A file extension engines use to guess the container from an upload's name.
    public var fileExtension: String {
        switch baseType {
        case "audio/mpeg", "audio/mp3": "mp3"
        case "audio/wav", "audio/x-wav", "audio/wave": "wav"
        case "audio/ogg": "ogg"
        case "audio/webm": "webm"
        case "audio/flac": "flac"
        case "audio/mp4", "audio/m4a", "audio/x-m4a": "m4a"
        case "audio/pcm": "pcm"
        default: "bin"
        }
    }

    public var description: String { mimeType }

    /// Whether pieces in this format, made one after another, join into one playable file by
    /// simply following each other: MP3 frames and raw PCM do (WAV is read as PCM); containers
    /// such as Ogg, WebM, FLAC or AAC do not. The hub speaks a long text sentence by sentence
    /// only with engines whose format joins.
    public var joinsByConcatenation: Bool {
        pcmLayout != nil || ["audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave"].contains(baseType)
    }
}

extension AudioFormat {
    /// `rate` and `channels` of an `audio/pcm;rate=...` type; nil for other types.
    public var pcmLayout: (sampleRate: Int, channels: Int)? {
        guard baseType == "audio/pcm" else { return nil }
        var rate: Int?
        var channels = 1
        for parameter in mimeType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "rate" { rate = Int(pair[1]) }
            if pair[0] == "channels" { channels = Int(pair[1]) ?? 1 }
        }
        // Bounds keep a client's `audio/pcm;rate=1` from turning into millions of tiny chunks.
        guard let rate, (1000...384_000).contains(rate), (1...8).contains(channels) else { return nil }
        return (rate, channels)
    }
}
