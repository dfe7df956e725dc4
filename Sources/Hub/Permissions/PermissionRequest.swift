import Foundation
import WireJSON

/// An agent asks before it acts (Claude Code's `PermissionRequest` hook): pending until the
/// user decides by tap, REST or voice, or until it times out (then denied).
public struct PermissionRequest: Sendable, Equatable {
    /// Made by the hub (random): a decision names it.
    public let id: String
    public let tool: String
    /// What the tool would do: "npm test", "src/parser.ts".
    public let detail: String?
    public let askedAt: Date
    /// The agent's own rule suggestions (Claude Code's `permission_suggestions`): what
    /// "allow for this session" hands back, scoped to the session.
    let suggestions: [JSONValue]
    /// The `tool_use_id` of the agent's `PreToolUse` for this very call, when it said so:
    /// its `PostToolUse` means the request was settled elsewhere (the terminal).
    var toolUseID: String?

    public var canAllowForSession: Bool { !suggestions.isEmpty }

    public var json: JSONValue {
        .object([
            "request_id": .string(id),
            "tool": .string(tool),
            "detail": detail.map(JSONValue.string) ?? .null,
            "asked_at": .number(askedAt.timeIntervalSince1970),
            "can_allow_session": .bool(canAllowForSession),
        ])
    }
}

/// What the user said to a request.
public enum PermissionDecision: String, Sendable, Equatable, CaseIterable {
    case allow
    /// Allow, and the same kind of call for the rest of the session (the agent's suggestions).
    case allowSession = "allow_session"
    case deny

    var allows: Bool { self != .deny }
}

/// How a request ended, as the agent's hook is told.
public enum PermissionOutcome: Sendable, Equatable {
    public enum Decider: String, Sendable { case user, voice }

    case decided(PermissionDecision, by: Decider)
    /// Nobody answered in time: denied, with a reason the agent sees.
    case timedOut(after: Duration)
    /// The agent moved on (answered in its terminal, its turn or session ended): nobody waits.
    case withdrawn
    /// The session ended (also when the hub shuts down): denied.
    case sessionEnded

    /// The `permission_resolved` event's decision and who made it.
    var resolution: (decision: String, by: String) {
        switch self {
        case .decided(let decision, let by): (decision.rawValue, by.rawValue)
        case .timedOut: (PermissionDecision.deny.rawValue, "timeout")
        case .withdrawn: ("withdrawn", "agent")
        case .sessionEnded: (PermissionDecision.deny.rawValue, "hub")
        }
    }
}
