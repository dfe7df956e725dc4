import Foundation
import PluginAPI

/// Joins a message's audio pieces into the one file the original's clients expect:
/// PCM becomes a WAV, MP3 frames simply follow each other. When a failover mid-message made
/// parts of it come in different encodings, everything is decoded to PCM (ffmpeg) so nothing
/// said is dropped.
struct AudioJoiner {
    private var parts: [(audio: Data, format: AudioFormat)] = []
    /// Index of the first part of the segment being received, dropped if that segment is
    /// restarted on another engine.
    private var segmentStart = 0

    mutating func startSegment() {
        segmentStart = parts.count
    }

    /// The current segment failed part-way and will be spoken again from its start.
    mutating func restartSegment() {
        parts.removeSubrange(segmentStart...)
    }

    mutating func append(_ data: Data, format: AudioFormat) {
        // Parts of the current segment only, so that a restart drops exactly that segment.
        if let last = parts.last, last.format == format, parts.count - 1 >= segmentStart {
            parts[parts.count - 1].audio.append(data)
        } else {
            parts.append((data, format))
        }
    }

    /// True when the parts cannot simply be concatenated.
    var isMixed: Bool {
        Set(parts.map(\.format)).count > 1
    }

    /// The joined audio; nil when nothing was received.
    func finish() async throws -> (audio: Data, format: AudioFormat)? {
        guard let first = parts.first else { return nil }
        if !isMixed {
            let joined = parts.reduce(into: Data()) { $0.append($1.audio) }
            if let layout = first.format.pcmLayout {
                return (WAVFile.wrap(joined, sampleRate: layout.sampleRate, channels: layout.channels), .wav)
            }
            return (joined, first.format)
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
        return (WAVFile.wrap(pcm, sampleRate: rate), .wav)
    }
}
