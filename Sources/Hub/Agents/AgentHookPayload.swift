import WireJSON

/// A Claude Code hook's payload, or Codex's `notify` one (forwarded by `clawmux-mcp hook`),
/// turned into what the session machine takes. Only the fields the activity needs are read; an event the hub does
/// not use yet gives nil (accepted, nothing changes).
enum AgentHookPayload {
    enum Problem: Error, Equatable, CustomStringConvertible {
        case notAnObject
        case missing(String)

        var description: String {
            switch self {
            case .notAnObject: "the hook payload is not a JSON object"
            case .missing(let field): "the hook payload has no '\(field)'"
            }
        }
    }

    /// Tool details are cut to this many characters: a tab line, not a log.
    static let detailLimit = 120

    static func report(from payload: JSONValue) throws(Problem) -> AgentReport? {
        guard case .object = payload else { throw .notAnObject }
        // Codex's `notify`: {"type": "agent-turn-complete", "last-assistant-message": ...}.
        if let type = payload["type"]?.stringValue, payload["hook_event_name"] == nil {
            return type == "agent-turn-complete" ? .turnEnded(lastMessage: payload["last-assistant-message"]?.stringValue) : nil
        }
        guard let event = payload["hook_event_name"]?.stringValue else { throw .missing("hook_event_name") }
        switch event {
        case "UserPromptSubmit":
            return .promptSubmitted
        case "PreToolUse":
            guard let tool = payload["tool_name"]?.stringValue else { throw .missing("tool_name") }
            let call = payload["tool_use_id"]?.stringValue.map { ToolCall(id: $0, input: (payload["tool_input"] ?? .null).encodedText()) }
            return .toolStarted(tool: tool, detail: detail(tool: tool, input: payload["tool_input"], cwd: payload["cwd"]?.stringValue), call: call)
        case "PostToolUse", "PostToolUseFailure":
            guard let tool = payload["tool_name"]?.stringValue else { throw .missing("tool_name") }
            return .toolFinished(tool: tool, callID: payload["tool_use_id"]?.stringValue)
        case "Notification":
            return .notification(
                kind: payload["notification_type"]?.stringValue ?? "notification", message: payload["message"]?.stringValue ?? "")
        case "Stop":
            return .turnEnded(lastMessage: payload["last_assistant_message"]?.stringValue)
        case "PreCompact":
            return .compacting
        case "SessionEnd":
            return .sessionEnded
        default:
            return nil
        }
    }

    /// A `PermissionRequest` hook's payload: what the agent asks to do (nil: another event).
    struct PermissionAsk: Sendable, Equatable {
        var tool: String
        var detail: String?
        /// `tool_input` as JSON text: matches the `PreToolUse` of the same call.
        var input: String
        var suggestions: [JSONValue]
    }

    static func permissionAsk(from payload: JSONValue) throws(Problem) -> PermissionAsk? {
        guard case .object = payload else { throw .notAnObject }
        guard payload["hook_event_name"]?.stringValue == "PermissionRequest" else { return nil }
        guard let tool = payload["tool_name"]?.stringValue, !tool.isEmpty else { throw .missing("tool_name") }
        let input = payload["tool_input"] ?? .null
        // "Allow for this session": a rule for this very call first (Claude Code's own suggestion
        // may only be a folder, which does not stop the next question), then the agent's own.
        let suggestions = ClaudePermissionReply.sessionRule(tool: tool, input: input).map { [$0] } ?? []
        return PermissionAsk(tool: tool, detail: detail(tool: tool, input: input, cwd: payload["cwd"]?.stringValue),
                             input: input.encodedText(), suggestions: suggestions + (payload["permission_suggestions"]?.arrayValue ?? []))
    }

    /// "npm test" for Bash, the file for Edit/Write/Read (relative to the project), the
    /// pattern for Grep/Glob, the address for WebFetch; nil when there is nothing short to say.
    static func detail(tool: String, input: JSONValue?, cwd: String?) -> String? {
        let text: String?
        switch tool {
        case "Bash": text = input?["command"]?.stringValue ?? input?["description"]?.stringValue
        case "Edit", "MultiEdit", "Write", "Read", "NotebookEdit":
            text = (input?["file_path"]?.stringValue ?? input?["notebook_path"]?.stringValue).map { relative($0, to: cwd) }
        case "Grep", "Glob": text = input?["pattern"]?.stringValue
        case "WebFetch": text = input?["url"]?.stringValue
        case "WebSearch": text = input?["query"]?.stringValue
        case "Task": text = input?["description"]?.stringValue
        default: text = nil
        }
        guard let text else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.isEmpty else { return nil }
        return line.count > detailLimit ? String(line.prefix(detailLimit - 1)) + "…" : line
    }

    private static func relative(_ path: String, to directory: String?) -> String {
        guard let directory, !directory.isEmpty else { return path }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
