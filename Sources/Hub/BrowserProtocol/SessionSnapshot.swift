import Foundation
import WireJSON

/// A session as REST and `session_list` show it: the original's fields plus a few extras.
public struct SessionSnapshot: Sendable, Equatable {
    public var id: String
    public var status: SessionStatus
    public var label: String
    public var voice: String
    public var speed: Double
    public var createdAt: Date
    public var lastActivity: Date
    public var bridgeConnected: Bool
    /// How to look at the agent's terminal: `tmux attach -t ...` or a pid.
    public var terminal: String
    public var workDirectory: String
    /// The agent profile's id and label.
    public var agent: String = ""
    public var agentLabel: String = ""
    /// The folder the agent works in (the user's project), when one was chosen.
    public var projectDirectory: String?
    /// Why the session needs the user, and the agent's screen (while `needs_you`).
    public var attention: Attention?
    /// What the agent is doing (nil: not known, e.g. a session being created).
    public var activity: SessionActivity?
    /// The agent's permission requests waiting for the user.
    public var permissions: [PermissionRequest] = []
    /// What the user said to the agent that waits for its turn to end.
    public var queuedPrompts: [Prompt] = []
    /// The host (of `hosts:`) the agent runs on; nil: the hub's own machine.
    public var host: String?

    public struct Attention: Sendable, Equatable {
        public var reason: String
        public var screen: String
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "session_id": .string(id),
            "tmux_session": .string(id),
            "status": .string(status.rawValue),
            "created_at": .number(createdAt.timeIntervalSince1970),
            "last_activity": .number(lastActivity.timeIntervalSince1970),
            "label": .string(label),
            "voice": .string(voice),
            "speed": .number(speed),
            "mcp_connected": .bool(bridgeConnected),
            "terminal": .string(terminal),
            "work_dir": .string(workDirectory),
            "agent": .string(agent),
            "agent_label": .string(agentLabel),
        ]
        if let projectDirectory {
            fields["cwd"] = .string(projectDirectory)
            fields["project"] = .string(projectDirectory.split(separator: "/").last.map(String.init) ?? projectDirectory)
        }
        if let host { fields["host"] = .string(host) }
        if let activity { fields["activity"] = activity.json }
        fields["permissions"] = .array(permissions.map(\.json))
        fields["queued_prompts"] = .array(queuedPrompts.map(\.json))
        if let attention {
            fields["detail"] = .string(attention.reason)
            fields["screen"] = .string(attention.screen)
        }
        return .object(fields)
    }
}
