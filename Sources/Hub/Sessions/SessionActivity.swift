import Foundation
import WireJSON

/// What a session's agent is doing, at a glance: the page's tab line, the cockpit's sounds.
public struct SessionActivity: Sendable, Equatable {
    public enum State: String, Sendable {
        case starting
        /// Thinking, writing: a turn is under way.
        case working
        /// Running a tool (`tool` names it, `detail` says what: "npm test", "src/parser.ts").
        case tool
        /// A converse waits for the user.
        case asking
        case needsPermission = "needs_permission"
        /// A dialog on the terminal, or the agent asks for attention.
        case needsYou = "needs_you"
        /// The turn is over; the agent waits for a new task.
        case idle
        case compacting
        case dead
    }

    public var state: State
    public var tool: String?
    public var detail: String?
    public var since: Date

    public init(state: State, tool: String? = nil, detail: String? = nil, since: Date) {
        self.state = state
        self.tool = tool
        self.detail = detail
        self.since = since
    }

    /// Same state, tool and detail (when it started does not make it different).
    func means(_ other: SessionActivity) -> Bool {
        state == other.state && tool == other.tool && detail == other.detail
    }

    public var json: JSONValue {
        .object([
            "state": .string(state.rawValue),
            "tool": tool.map(JSONValue.string) ?? .null,
            "detail": detail.map(JSONValue.string) ?? .null,
            "since": .number(since.timeIntervalSince1970),
        ])
    }
}

/// What an agent reports about itself (Claude Code's hooks, Codex's notify), as the session
/// machine takes it.
public enum AgentReport: Sendable, Equatable {
    case promptSubmitted
    /// `call`: the agent's id of this tool call and its input (as JSON text), when it says them.
    case toolStarted(tool: String, detail: String?, call: ToolCall? = nil)
    case toolFinished(tool: String, callID: String? = nil)
    /// `permission_prompt`, `idle_prompt`, or another kind of attention request.
    case notification(kind: String, message: String)
    /// The turn ended; the agent's last words, when it says them.
    case turnEnded(lastMessage: String?)
    case compacting
    case sessionEnded
}

/// One tool call as the agent names it: a permission request is matched to it by tool and input.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var input: String
}
