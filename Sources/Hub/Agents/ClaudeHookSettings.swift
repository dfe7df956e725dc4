import WireJSON

/// The settings file handed to Claude Code with `--settings` (`{hook_settings}` in a profile's
/// command): a hook for each event the session's activity follows, each running the bridge's
/// `hook` command with the session's MCP config, and the hub's own tools allowed (a profile that
/// asks before acting must not ask the user's permission to talk to the user). Written into the
/// session dir; the user's own settings are never touched (Claude Code merges them).
enum ClaudeHookSettings {
    static let events = ["UserPromptSubmit", "PreToolUse", "PostToolUse", "Notification", "Stop", "PreCompact", "SessionEnd"]
    /// The hook itself gives up after 2 s; this only bounds a stuck one.
    static let timeoutSeconds = 5
    /// A permission hook outlives the hub's own timeout (the hub denies, with a reason, first).
    static let permissionGraceSeconds = 30
    /// Every tool of the session's MCP server (`voice-hub` in `.mcp.json`).
    static let hubToolsRule = "mcp__voice-hub"

    static func json(bridge: BridgeServer, mcpConfigPath: String, permissionTimeout: Duration) -> JSONValue {
        let command = shellQuoted([bridge.command] + bridge.arguments + ["hook", mcpConfigPath])
        func hook(timeout: Int) -> JSONValue {
            .object(["type": .string("command"), "command": .string(command), "timeout": .int(timeout)])
        }
        var hooks: [String: JSONValue] = [:]
        for event in events {
            var entry: [String: JSONValue] = ["hooks": .array([hook(timeout: timeoutSeconds)])]
            // Tool events match every tool.
            if event.hasSuffix("ToolUse") { entry["matcher"] = .string("*") }
            hooks[event] = .array([.object(entry)])
        }
        let waits = Int(permissionTimeout.components.seconds) + permissionGraceSeconds
        hooks["PermissionRequest"] = .array([.object(["matcher": .string("*"), "hooks": .array([hook(timeout: waits)])])])
        return .object([
            "hooks": .object(hooks),
            "permissions": .object(["allow": .array([.string(hubToolsRule)])]),
        ])
    }

    /// Claude Code runs a hook's command through a shell: every word single-quoted.
    static func shellQuoted(_ argv: [String]) -> String {
        argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }
}
