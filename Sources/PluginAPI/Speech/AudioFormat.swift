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
}
