/// Where a session's agent finds its own files, on the machine it runs on: the session's
/// directory with `.mcp.json` and the hook settings, and the scratch folder it works in when
/// no project was chosen. Here (`SessionWorkspace`) or on a host (`RemoteWorkspace`).
protocol AgentFiles: Sendable {
    var directory: String { get }
    var scratchDirectory: String { get }
}

extension AgentFiles {
    var mcpConfigPath: String { directory + "/.mcp.json" }
    /// Claude Code's `--settings` file with the session's hooks (`{hook_settings}`).
    var hookSettingsPath: String { directory + "/claude-hooks.json" }
}
