import Foundation
import PluginAPI

/// What the speech pipeline yields while a message is spoken.
enum SpeechPiece: Sendable, Equatable {
    /// Audio of segment `segment`, as it arrives (WAV already turned into PCM).
    case audio(Data, AudioFormat, segment: Int)
    /// The engine speaking `segment` failed part-way; the segment is spoken again from its start
    /// by the next engine (pieces of it already received should be dropped where possible).
    case segmentRestarted(segment: Int)
}
