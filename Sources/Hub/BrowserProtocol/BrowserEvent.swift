import Foundation
import PluginAPI
import WireJSON

/// What the hub tells browsers about one session's conversation, in the original's message types.
/// What a spoken turn is, so a page can order what it plays (one voice at a time).
public enum TurnKind: String, Sendable, Equatable {
    /// A converse that waits for the user's answer.
    case question
    /// A converse that waits for nothing (a goodbye).
    case message
    /// The hub asks whether the agent may act.
    case permission
    /// An agent's reply read out at the end of its turn.
    case report
}

public enum SessionEvent: Sendable, Equatable {
    /// What the agent (or the hub) says in this turn, and what kind of turn it is.
    case assistantText(String, kind: TurnKind = .question)
    case status(String)
    /// The whole audio of a turn, for browsers that do not stream.
    case audio(Data, AudioFormat)
    /// Part of a turn's audio as it is made, for browsers that announced `audio_stream`.
    case audioChunk(seq: Int, audio: Data, format: AudioFormat, final: Bool)
    /// The audio a newly connected browser must play (an `audio` message, whatever it announced).
    case pendingAudio(Data, AudioFormat)
    case listening
    case userText(String)
    case done
}

extension SessionEvent {
    /// Which browsers an event is for.
    public enum Audience: Sendable {
        case all, streaming, nonStreaming
        /// Browsers that said `hello`: the original page expects only the original's sequence.
        case announced
        /// Browsers whose `hello` listed this capability.
        case capable(String)
    }

    public var audience: Audience {
        switch self {
        case .audio: .nonStreaming
        case .audioChunk: .streaming
        default: .all
        }
    }
}

/// Every message the hub sends to browsers.
public enum BrowserEvent: Sendable, Equatable {
    /// `turn` (our extension) names the converse turn the event belongs to, unique across hub
    /// restarts: a page tells a new turn from the replay of one it already has.
    case session(id: String, SessionEvent, turn: String? = nil)
    case sessionList([SessionSnapshot])
    case sessionStatus(SessionSnapshot)
    /// A status change the original hub does not announce (a turn starting or ending, a dialog
    /// that needs the user): `session_status` too, for browsers that said `hello`.
    case sessionUpdate(SessionSnapshot)
    case sessionTerminated(id: String)
    case error(sessionID: String?, message: String)
    /// A streamed recording the hub could not take (an `error` naming it): the page sends it whole.
    case recordingFailed(sessionID: String, recording: String, message: String)
    /// What the user said up to the pause at `samples` ends with the page's end word: the
    /// recording is over there (`recording_end_word`).
    case recordingEndWord(sessionID: String, recording: String, samples: Int)
    /// A session's conversation so far, for browsers that announced `transcript`.
    case transcript(sessionID: String, entries: [JSONValue])
    /// What a session's agent does now, for browsers that announced `activity`.
    case sessionActivity(id: String, SessionActivity)
    /// An agent asks before it acts, and how that ended: for browsers that announced `permissions`.
    case permissionRequest(sessionID: String, PermissionRequest)
    case permissionResolved(sessionID: String, requestID: String, PermissionOutcome)
    /// What became of a prompt (delivered, queued, answered, lost): for browsers that announced `prompts`.
    case promptStatus(sessionID: String, Prompt, Prompt.State)

    /// Which browsers get it: audio goes to those that stream or to those that do not.
    public var audience: SessionEvent.Audience {
        switch self {
        case .session(_, let event, _): event.audience
        case .sessionUpdate: .announced
        case .sessionActivity: .capable("activity")
        case .permissionRequest, .permissionResolved: .capable("permissions")
        case .promptStatus: .capable("prompts")
        default: .all
        }
    }

    public var json: JSONValue {
        switch self {
        case .session(let id, let event, let turn):
            var fields: [String: JSONValue] = ["session_id": .string(id)]
            if let turn { fields["turn"] = .string(turn) }
            switch event {
            case .assistantText(let text, let kind):
                fields["type"] = .string("assistant_text")
                fields["text"] = .string(text)
                fields["kind"] = .string(kind.rawValue)
            case .status(let text): fields["type"] = .string("status"); fields["text"] = .string(text)
            case .audio(let data, let format), .pendingAudio(let data, let format):
                fields["type"] = .string("audio")
                fields["data"] = .string(data.base64EncodedString())
                fields["format"] = .string(format.mimeType)
            case .audioChunk(let seq, let data, let format, let final):
                fields["type"] = .string("audio_chunk")
                fields["seq"] = .number(Double(seq))
                fields["data"] = .string(data.base64EncodedString())
                fields["format"] = .string(format.mimeType)
                fields["final"] = .bool(final)
            case .listening: fields["type"] = .string("listening")
            case .userText(let text): fields["type"] = .string("user_text"); fields["text"] = .string(text)
            case .done: fields["type"] = .string("done")
            }
            return .object(fields)
        case .sessionList(let sessions):
            return .object(["type": .string("session_list"), "sessions": .array(sessions.map(\.json))])
        case .sessionStatus(let session), .sessionUpdate(let session):
            // The original sends id and status; the rest lets a page add a tab without a refetch.
            var fields: [String: JSONValue] = ["type": .string("session_status"), "status": .string(session.status.rawValue)]
            if case .object(let snapshot) = session.json { fields.merge(snapshot) { current, _ in current } }
            return .object(fields)
        case .sessionTerminated(let id):
            return .object(["type": .string("session_terminated"), "session_id": .string(id)])
        case .sessionActivity(let id, let activity):
            return .object(["type": .string("session_activity"), "session_id": .string(id), "activity": activity.json])
        case .permissionRequest(let sessionID, let request):
            return .object(["type": .string("permission_request"), "session_id": .string(sessionID), "request": request.json])
        case .permissionResolved(let sessionID, let requestID, let outcome):
            let resolution = outcome.resolution
            return .object([
                "type": .string("permission_resolved"), "session_id": .string(sessionID), "request_id": .string(requestID),
                "decision": .string(resolution.decision), "by": .string(resolution.by),
            ])
        case .promptStatus(let sessionID, let prompt, let state):
            guard case .object(var fields) = prompt.json else { return .null }
            fields["type"] = .string("prompt_status")
            fields["session_id"] = .string(sessionID)
            fields["state"] = .string(state.rawValue)
            return .object(fields)
        case .transcript(let sessionID, let entries):
            return .object(["type": .string("transcript"), "session_id": .string(sessionID), "entries": .array(entries)])
        case .error(let sessionID, let message):
            var fields: [String: JSONValue] = ["type": .string("error"), "message": .string(message)]
            if let sessionID { fields["session_id"] = .string(sessionID) }
            return .object(fields)
        case .recordingEndWord(let sessionID, let recording, let samples):
            return .object(["type": .string("recording_end_word"), "session_id": .string(sessionID), "recording": .string(recording), "samples": .int(samples)])
        case .recordingFailed(let sessionID, let recording, let message):
            return .object(["type": .string("error"), "session_id": .string(sessionID), "recording": .string(recording), "message": .string(message)])
        }
    }
}
