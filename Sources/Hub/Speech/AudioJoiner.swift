import Foundation
import Logging
import PluginAPI

/// Joins a message's audio pieces into the one file the original's clients expect:
/// PCM becomes a WAV, MP3 frames simply follow each other.
struct AudioJoiner {
    private var format: AudioFormat?
    private var joined = Data()
    /// Bytes of the segment being received, dropped if that segment is restarted on another engine.
    private var segmentStart = 0
    private(set) var droppedPieces = 0

    mutating func startSegment() {
        segmentStart = joined.count
    }

    /// The current segment failed part-way and will be spoken again from its start.
    mutating func restartSegment() {
        joined.removeSubrange(segmentStart...)
    }

    mutating func append(_ data: Data, format pieceFormat: AudioFormat) {
        guard let format else {
            format = pieceFormat
            joined.append(data)
            return
        }
        // Different engines spoke parts of one message (a failover mid-message): a single file
        // cannot hold both encodings, so the parts in the first encoding are kept.
        guard format == pieceFormat else {
            droppedPieces += 1
            return
        }
        joined.append(data)
    }

    /// The joined audio; nil when nothing was received.
    func finish() -> (audio: Data, format: AudioFormat)? {
        guard let format else { return nil }
        if let layout = format.pcmLayout {
            return (WAVFile.wrap(joined, sampleRate: layout.sampleRate, channels: layout.channels), .wav)
        }
        return (joined, format)
    }
}
