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

    /// Each piece is kept as it came: its bytes are the same buffer the streamed chunk holds,
    /// so the turn's audio is not copied while it is spoken; `finish` joins them once.
    private mutating func append(_ data: Data, format: AudioFormat) {
        parts.append(Part(audio: data, format: format))
    }

    /// Consecutive pieces of one encoding, joined (an MP3 frame may span two pieces).
    private var runs: [Part] {
        var runs: [Part] = []
        for part in parts {
            if let last = runs.last, last.format == part.format {
                runs[runs.count - 1].audio.append(part.audio)
            } else {
                runs.append(part)
            }
        }
        return runs
    }

    /// True when the parts cannot simply be concatenated.
    var isMixed: Bool {
        Set(parts.map(\.format)).count > 1
    }

    /// The joined audio; nil when nothing was received.
    func finish() async throws -> Part? {
        guard let first = parts.first else { return nil }
        if !isMixed {
            var joined = Data()
            joined.reserveCapacity(parts.reduce(0) { $0 + $1.audio.count })
            for part in parts { joined.append(part.audio) }
            if let layout = first.format.pcmLayout {
                return Part(audio: WAVFile.wrap(joined, sampleRate: layout.sampleRate, channels: layout.channels), format: .wav)
            }
            return Part(audio: joined, format: first.format)
        }
        // Mixed: everything as 16-bit mono PCM at the rate of the first PCM part (or 24 kHz).
        let rate = parts.lazy.compactMap { $0.format.pcmLayout?.sampleRate }.first ?? 24_000
        var pcm = Data()
        for part in runs {
            if let layout = part.format.pcmLayout, layout.sampleRate == rate, layout.channels == 1 {
                pcm.append(part.audio)
            } else {
                pcm.append(try await AudioDecoding.pcm16(part.audio, format: part.format, sampleRate: rate))
            }
        }
        return Part(audio: WAVFile.wrap(pcm, sampleRate: rate), format: .wav)
    }
}
