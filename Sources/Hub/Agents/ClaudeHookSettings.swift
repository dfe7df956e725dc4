import WireJSON

/// The settings file handed to Claude Code with `--settings` (`{hook_settings}` in a profile's
/// command): a hook for each event the session's activity follows, each running the bridge's
/// `hook` command with the session's MCP config. Written into the session dir; the user's own
/// settings are never touched (Claude Code merges them).
enum ClaudeHookSettings {
    static let events = ["UserPromptSubmit", "PreToolUse", "PostToolUse", "Notification", "Stop", "PreCompact", "SessionEnd"]
    /// The hook itself gives up after 2 s; this only bounds a stuck one.
    static let timeoutSeconds = 5

    static func json(bridge: BridgeServer, mcpConfigPath: String) -> JSONValue {
        let command = shellQuoted([bridge.command] + bridge.arguments + ["hook", mcpConfigPath])
        let hook = JSONValue.object(["type": .string("command"), "command": .string(command), "timeout": .int(timeoutSeconds)])
        var hooks: [String: JSONValue] = [:]
        for event in events {
            var entry: [String: JSONValue] = ["hooks": .array([hook])]
            // Tool events match every tool.
            if event.hasSuffix("ToolUse") { entry["matcher"] = .string("*") }
            hooks[event] = .array([.object(entry)])
        }
        return .object(["hooks": .object(hooks)])
    }

    /// Claude Code runs a hook's command through a shell: every word single-quoted.
    static func shellQuoted(_ argv: [String]) -> String {
        argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }
}
