import Foundation
import PluginAPI

/// What the hub tells browsers about one session's conversation, in the original's message types.
public enum SessionEvent: Sendable, Equatable {
    case assistantText(String)
    case status(String)
    case audio(Data, AudioFormat)
    case listening
    case userText(String)
    case done
}

/// Every message the hub sends to browsers.
public enum BrowserEvent: Sendable, Equatable {
    case session(id: String, SessionEvent)
    case sessionList([SessionSnapshot])
    case sessionStatus(SessionSnapshot)
    case sessionTerminated(id: String)
    case error(sessionID: String?, message: String)

    public var json: JSONValue {
        switch self {
        case .session(let id, let event):
            var fields: [String: JSONValue] = ["session_id": .string(id)]
            switch event {
            case .assistantText(let text): fields["type"] = .string("assistant_text"); fields["text"] = .string(text)
            case .status(let text): fields["type"] = .string("status"); fields["text"] = .string(text)
            case .audio(let data, let format):
                fields["type"] = .string("audio")
                fields["data"] = .string(data.base64EncodedString())
                fields["format"] = .string(format.mimeType)
            case .listening: fields["type"] = .string("listening")
            case .userText(let text): fields["type"] = .string("user_text"); fields["text"] = .string(text)
            case .done: fields["type"] = .string("done")
            }
            return .object(fields)
        case .sessionList(let sessions):
            return .object(["type": .string("session_list"), "sessions": .array(sessions.map(\.json))])
        case .sessionStatus(let session):
            // The original sends id and status; the rest lets a page add a tab without a refetch.
            var fields: [String: JSONValue] = ["type": .string("session_status"), "status": .string(session.status.rawValue)]
            if case .object(let snapshot) = session.json { fields.merge(snapshot) { current, _ in current } }
            return .object(fields)
        case .sessionTerminated(let id):
            return .object(["type": .string("session_terminated"), "session_id": .string(id)])
        case .error(let sessionID, let message):
            var fields: [String: JSONValue] = ["type": .string("error"), "message": .string(message)]
            if let sessionID { fields["session_id"] = .string(sessionID) }
            return .object(fields)
        }
    }
}
