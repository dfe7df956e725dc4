import Foundation
import PluginRuntime

/// The recordings one browser tab streams while the user speaks (`recording_chunk` …
/// `recording_end`), until each is whole. At a pause the hub transcribes what it has so far;
/// when the recording ends without another word after it, that transcript is the answer, ready
/// before the user would notice a wait. Owned by the tab's connection: a tab that goes away
/// takes its unfinished recordings with it (the page still has the audio and sends it whole).
struct StreamedRecordings: Sendable {
    struct Stream: Sendable {
        let sessionID: String
        let sampleRate: Int
        var pcm = Data()
        var nextSeq = 0
        /// The transcript of the first `samples` samples, made at the latest pause.
        var guess: Guess?

        var samples: Int { pcm.count / 2 }
        var wav: Data { WAVFile.wrap(pcm, sampleRate: sampleRate) }
    }

    struct Guess: Sendable {
        let samples: Int
        let transcript: Task<String, any Error>
    }

    /// A whole recording: the WAV, and the transcript made at its last pause when no speech came after it.
    struct Finished: Sendable {
        let sessionID: String
        let wav: Data
        let transcript: Task<String, any Error>?
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case gap(expected: Int, got: Int)
        case tooLarge(limit: Int)
        case otherSession
        case rateChanged
        case tooMany(limit: Int)

        var description: String {
            switch self {
            case .gap(let expected, let got): "recording chunk \(got) came where \(expected) was due (audio was lost)"
            case .tooLarge(let limit): "recording larger than \(limit) bytes"
            case .otherSession: "recording chunk for another session than the recording's"
            case .rateChanged: "recording chunk with another sample rate than the recording's"
            case .tooMany(let limit): "more than \(limit) recordings streamed at once"
            }
        }
    }

    /// Recordings a tab may stream at once (one, really; a few allow for cancels in flight).
    static let maxOpen = 4

    let maxBytes: Int
    private(set) var streams: [String: Stream] = [:]

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// A chunk, in order. A repeat of one already taken is ignored; a gap fails the recording
    /// (it is dropped: the page sends the whole recording instead).
    mutating func append(_ recording: String, sessionID: String, seq: Int, pcm: Data, sampleRate: Int) throws(Failure) {
        guard var stream = streams[recording] else {
            guard streams.count < Self.maxOpen else { throw .tooMany(limit: Self.maxOpen) }
            streams[recording] = Stream(sessionID: sessionID, sampleRate: sampleRate)
            return try append(recording, sessionID: sessionID, seq: seq, pcm: pcm, sampleRate: sampleRate)
        }
        if seq < stream.nextSeq, stream.sessionID == sessionID { return }
        if let failure = Self.problem(stream, sessionID: sessionID, seq: seq, bytes: pcm.count, sampleRate: sampleRate, limit: maxBytes) {
            drop(recording)
            throw failure
        }
        stream.pcm.append(pcm)
        stream.nextSeq = seq + 1
        streams[recording] = stream
    }

    private static func problem(_ stream: Stream, sessionID: String, seq: Int, bytes: Int, sampleRate: Int, limit: Int) -> Failure? {
        if stream.sessionID != sessionID { return .otherSession }
        if stream.sampleRate != sampleRate { return .rateChanged }
        if seq != stream.nextSeq { return .gap(expected: stream.nextSeq, got: seq) }
        if stream.pcm.count + bytes > limit { return .tooLarge(limit: limit) }
        return nil
    }

    /// What the recording holds so far, as a WAV, for a transcript made now; nil: no such recording or nothing yet.
    func soFar(_ recording: String, sessionID: String) -> (wav: Data, samples: Int)? {
        guard let stream = streams[recording], stream.sessionID == sessionID, stream.samples > 0 else { return nil }
        return (stream.wav, stream.samples)
    }

    /// The transcript of the first `samples`, being made; an older one is no longer needed.
    mutating func guessed(_ recording: String, samples: Int, transcript: Task<String, any Error>) {
        guard streams[recording] != nil else { return transcript.cancel() }
        streams[recording]?.guess?.transcript.cancel()
        streams[recording]?.guess = Guess(samples: samples, transcript: transcript)
    }

    /// The recording is over. Its guess counts only when it heard everything up to the quiet
    /// the recording ended in (`speechEnd`); else it is cancelled and the whole is transcribed.
    mutating func finish(_ recording: String, sessionID: String, speechEnd: Int?) -> Finished? {
        guard let stream = streams[recording], stream.sessionID == sessionID else { return nil }
        streams[recording] = nil
        var transcript: Task<String, any Error>?
        if let guess = stream.guess {
            if let speechEnd, guess.samples >= speechEnd { transcript = guess.transcript } else { guess.transcript.cancel() }
        }
        return Finished(sessionID: stream.sessionID, wav: stream.wav, transcript: transcript)
    }

    mutating func drop(_ recording: String) {
        streams.removeValue(forKey: recording)?.guess?.transcript.cancel()
    }

    /// The tab went away.
    mutating func dropAll() {
        for stream in streams.values { stream.guess?.transcript.cancel() }
        streams.removeAll()
    }
}
