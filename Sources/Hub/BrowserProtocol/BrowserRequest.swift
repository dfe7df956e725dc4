import Foundation
import PluginAPI
import WireJSON

/// Messages a browser sends. Unknown types are reported back, never fatal.
public enum BrowserRequest: Sendable, Equatable {
    case hello(capabilities: [String])
    /// `turn` (our extension), as on recordings: a late one for an earlier turn is dropped.
    case playbackDone(sessionID: String, turn: String? = nil)
    /// Barge-in: the user tapped the mic while the agent spoke (counts as playback done).
    case interrupt(sessionID: String, turn: String? = nil)
    /// A recording; empty data means the mic was muted.
    /// `turn` (our extension): the turn it answers, as the hub tagged it; an answer to an
    /// earlier turn is dropped instead of answering the next one.
    /// `endWord` (our extension): the spoken word that ended it ("over"), left out of the words.
    case recording(sessionID: String, audio: Data, format: AudioFormat, turn: String? = nil, endWord: String? = nil)
    /// Text for the agent at any time (our extension): its answer when it asks, else a new prompt.
    case prompt(sessionID: String, text: String)
    /// A recording with `"purpose": "prompt"`: transcribed, then a prompt.
    case promptRecording(sessionID: String, audio: Data, format: AudioFormat, endWord: String? = nil)
    /// A recording streamed while the user speaks (our extension): 16-bit PCM, `seq` 0, 1, 2…
    case recordingChunk(sessionID: String, recording: String, seq: Int, pcm: Data, sampleRate: Int)
    /// The user paused after `samples`: the hub may transcribe what it has (kept for the end).
    /// `endWord`: the page's end word; the hub says when what it heard ends with it.
    case recordingPause(sessionID: String, recording: String, samples: Int, endWord: String? = nil)
    /// The streamed recording is over, to be taken as a whole `audio` message with the same
    /// `purpose`, `turn` and `end_word`. `speechEnd`: the sample where the final quiet began.
    case recordingEnd(sessionID: String, recording: String, speechEnd: Int?, purpose: RecordingPurpose, endWord: String?)
    /// The streamed recording is dropped unsent (cancelled, muted).
    case recordingCancel(sessionID: String, recording: String)

    /// What a recording is for: the answer to a turn, or a new prompt.
    public enum RecordingPurpose: Sendable, Equatable {
        case answer(turn: String?)
        case prompt
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notJSON
        case unknownType(String)
        case missingField(String)
        case invalidBase64
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .notJSON: "expected a JSON object"
            case .unknownType(let type): "unknown message type '\(type)'"
            case .missingField(let field): "missing or invalid field '\(field)'"
            case .invalidBase64: "field 'data' is not valid base64"
            case .tooLarge(let limit): "recording larger than \(limit) bytes"
            }
        }
    }

    public static func parse(_ text: String, maxRecordingBytes: Int) throws(ParseError) -> BrowserRequest {
        guard let json = JSONValue.decode(text), case .object = json else { throw .notJSON }
        let type = json["type"]?.stringValue ?? "(none)"
        if type == "hello" {
            guard case .array(let items)? = json["capabilities"] else { return .hello(capabilities: []) }
            return .hello(capabilities: items.compactMap(\.stringValue))
        }
        guard ["playback_done", "interrupt", "audio", "prompt"].contains(type) || type.hasPrefix("recording_") else { throw .unknownType(type) }
        guard let sessionID = json["session_id"]?.stringValue else { throw .missingField("session_id") }
        switch type {
        case "playback_done":
            return .playbackDone(sessionID: sessionID, turn: json["turn"]?.stringValue)
        case "interrupt":
            return .interrupt(sessionID: sessionID, turn: json["turn"]?.stringValue)
        case "audio":
            guard let encoded = json["data"]?.stringValue else { throw .missingField("data") }
            // base64 is 4/3 of the bytes: refuse before decoding.
            guard encoded.utf8.count / 4 * 3 <= maxRecordingBytes + 3 else { throw .tooLarge(limit: maxRecordingBytes) }
            guard let audio = Data(base64Encoded: encoded) else { throw .invalidBase64 }
            guard audio.count <= maxRecordingBytes else { throw .tooLarge(limit: maxRecordingBytes) }
            // The original page records webm/opus and sends no type.
            let mime = json["mime_type"]?.stringValue ?? json["format"]?.stringValue ?? "audio/webm"
            let endWord = json["end_word"]?.stringValue.flatMap { $0.isEmpty ? nil : String($0.prefix(32)) }
            if json["purpose"]?.stringValue == "prompt" {
                return .promptRecording(sessionID: sessionID, audio: audio, format: AudioFormat(mimeType: mime), endWord: endWord)
            }
            return .recording(sessionID: sessionID, audio: audio, format: AudioFormat(mimeType: mime), turn: json["turn"]?.stringValue, endWord: endWord)
        case "prompt":
            guard let text = json["text"]?.stringValue else { throw .missingField("text") }
            return .prompt(sessionID: sessionID, text: text)
        case "recording_chunk", "recording_pause", "recording_end", "recording_cancel":
            return try streamed(type, json, sessionID: sessionID, maxRecordingBytes: maxRecordingBytes)
        default:
            throw .unknownType(type)
        }
    }

    private static func streamed(_ type: String, _ json: JSONValue, sessionID: String, maxRecordingBytes: Int) throws(ParseError) -> BrowserRequest {
        guard let recording = json["recording"]?.stringValue, !recording.isEmpty, recording.utf8.count <= 64 else {
            throw .missingField("recording")
        }
        let endWord = json["end_word"]?.stringValue.flatMap { $0.isEmpty ? nil : String($0.prefix(32)) }
        switch type {
        case "recording_chunk":
            guard let seq = json["seq"]?.intValue, seq >= 0 else { throw .missingField("seq") }
            guard let encoded = json["data"]?.stringValue else { throw .missingField("data") }
            guard encoded.utf8.count / 4 * 3 <= maxRecordingBytes + 3 else { throw .tooLarge(limit: maxRecordingBytes) }
            guard let pcm = Data(base64Encoded: encoded) else { throw .invalidBase64 }
            // Only mono 16-bit PCM at a rate speech-to-text engines take.
            guard let layout = AudioFormat(mimeType: json["mime_type"]?.stringValue ?? "").pcmLayout,
                  layout.channels == 1, (8000...48000).contains(layout.sampleRate) else { throw .missingField("mime_type") }
            return .recordingChunk(sessionID: sessionID, recording: recording, seq: seq, pcm: pcm, sampleRate: layout.sampleRate)
        case "recording_pause":
            guard let samples = json["samples"]?.intValue, samples >= 0 else { throw .missingField("samples") }
            return .recordingPause(sessionID: sessionID, recording: recording, samples: samples, endWord: endWord)
        case "recording_end":
            let purpose: RecordingPurpose = json["purpose"]?.stringValue == "prompt" ? .prompt : .answer(turn: json["turn"]?.stringValue)
            return .recordingEnd(sessionID: sessionID, recording: recording, speechEnd: json["speech_end"]?.intValue.flatMap { $0 >= 0 ? $0 : nil },
                                 purpose: purpose, endWord: endWord)
        default:
            return .recordingCancel(sessionID: sessionID, recording: recording)
        }
    }

    /// The session and recording a streamed-recording message names, when it names both.
    static func streamedRecording(in text: String) -> (sessionID: String, recording: String)? {
        guard let json = JSONValue.decode(text), json["type"]?.stringValue?.hasPrefix("recording_") == true,
              let session = json["session_id"]?.stringValue, let recording = json["recording"]?.stringValue else { return nil }
        return (session, recording)
    }

    /// The `session_id` of a message that could not be used otherwise.
    static func sessionID(in text: String) -> String? {
        JSONValue.decode(text)?["session_id"]?.stringValue
    }
}
