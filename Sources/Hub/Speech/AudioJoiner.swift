import Foundation
import PluginAPI
import PluginRuntime

/// The one place a message's audio is assembled from the speech pipeline's pieces: it passes
/// each piece on for browsers that stream, and joins the message into the one file the
/// original's clients expect. PCM becomes a WAV, MP3 frames simply follow each other. A
/// segment that an engine failed part-way is dropped when the next engine says it again; when
/// a failover made parts come in different encodings, everything is decoded to PCM (ffmpeg)
/// so nothing said is dropped.
struct AudioJoiner: Sendable, Equatable {
    struct Part: Sendable, Equatable {
        var audio: Data
        var format: AudioFormat
    }

    private var parts: [Part] = []
    /// Index of the first part of the segment being received, dropped if that segment is
    /// restarted on another engine.
    private var segmentStart = 0
    private var segment = -1
    /// Pieces of audio passed on so far, and the encoding of the last one.
    private(set) var chunks = 0
    private(set) var lastFormat: AudioFormat?

    /// Takes one piece; returns the audio to stream now, if the piece has any.
    mutating func add(_ piece: SpeechPiece) -> Part? {
        switch piece {
        case .audio(let audio, let format, let pieceSegment):
            if pieceSegment != segment {
                segmentStart = parts.count
                segment = pieceSegment
            }
            append(audio, format: format)
            chunks += 1
            lastFormat = format
            return Part(audio: audio, format: format)
        case .segmentRestarted:
            // The segment failed part-way and will be spoken again from its start.
            parts.removeSubrange(segmentStart...)
            return nil
        }
    }

    private mutating func append(_ data: Data, format: AudioFormat) {
        // Parts of the current segment only, so that a restart drops exactly that segment.
        if let last = parts.last, last.format == format, parts.count - 1 >= segmentStart {
            parts[parts.count - 1].audio.append(data)
        } else {
            parts.append(Part(audio: data, format: format))
        }
    }

    /// True when the parts cannot simply be concatenated.
    var isMixed: Bool {
        Set(parts.map(\.format)).count > 1
    }

    /// The joined audio; nil when nothing was received.
    func finish() async throws -> Part? {
        guard let first = parts.first else { return nil }
        if !isMixed {
            let joined = parts.reduce(into: Data()) { $0.append($1.audio) }
            if let layout = first.format.pcmLayout {
                return Part(audio: WAVFile.wrap(joined, sampleRate: layout.sampleRate, channels: layout.channels), format: .wav)
            }
            return Part(audio: joined, format: first.format)
        }
        // Mixed: everything as 16-bit mono PCM at the rate of the first PCM part (or 24 kHz).
        let rate = parts.lazy.compactMap { $0.format.pcmLayout?.sampleRate }.first ?? 24_000
        var pcm = Data()
        for part in parts {
            if let layout = part.format.pcmLayout, layout.sampleRate == rate, layout.channels == 1 {
                pcm.append(part.audio)
            } else {
                pcm.append(try await AudioDecoding.pcm16(part.audio, format: part.format, sampleRate: rate))
            }
        }
        return Part(audio: WAVFile.wrap(pcm, sampleRate: rate), format: .wav)
    }
}
