import Foundation

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

    public var json: JSONValue {
        .object([
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
        ])
    }
}
