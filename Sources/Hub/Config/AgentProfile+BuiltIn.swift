/// The agents the hub knows without any config: Claude Code, Codex and the demo agent.
/// `agents:` in the config changes or adds to them.
extension AgentProfile {
    static let builtIn: [AgentProfile] = [claude, claudeAsks, codex, demo]

    /// What the agent is told once it can use the hub: plain text, so nothing needs installing
    /// (Claude Code users may prefer their own `/voice-hub` command).
    static let voiceModeInstruction = "You are in voice mode. Talk with the user only through the converse tool of the "
        + "voice-hub MCP server: call converse with a short, spoken-style message (no markdown, no code), act on the "
        + "answer it returns, then call converse again to report back and listen. Keep going until the user says "
        + "goodbye; then call converse once more with wait_for_response set to false. Start by greeting the user and "
        + "asking what to work on."

    /// Claude Code 2.1: its own MCP config file (`--mcp-config`, so nothing is written into the
    /// project), the session's hooks (`--settings`: what it does shows as the session's
    /// activity), long converse calls kept in the foreground, and the dialogs a fresh HOME or an
    /// untrusted folder shows answered with the option the user chose by picking the folder.
    static let claude = AgentProfile(
        id: "claude", label: "Claude Code",
        command: ["claude", "--dangerously-skip-permissions", "--mcp-config", "{mcp_config}", "--settings", "{hook_settings}"],
        environment: ["CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS": "0"],
        startupInput: voiceModeInstruction,
        dialogs: [
            DialogAnswer(match: "Is this a project you created or one you trust", answer: .select("Yes, I trust this folder")),
            DialogAnswer(match: "Do you trust the files in this folder?", answer: .select("Yes, proceed")),
            DialogAnswer(match: "running in Bypass Permissions mode", answer: .select("Yes, I accept")),
            DialogAnswer(match: "Detected a custom API key in your environment", answer: .select("Yes")),
        ],
        speakReplies: .brief)

    /// Claude Code that asks before it acts (`--permission-mode manual`): each request becomes
    /// the session's pending permission, spoken and shown in the page, answered by voice or a
    /// tap (its `PermissionRequest` hook waits for the answer); the hub's own tools are allowed
    /// in the session's settings.
    static let claudeAsks = AgentProfile(
        id: "claude-asks", label: "Claude Code (asks before acting)",
        command: ["claude", "--permission-mode", "manual", "--mcp-config", "{mcp_config}", "--settings", "{hook_settings}"],
        environment: claude.environment,
        startupInput: voiceModeInstruction,
        dialogs: claude.dialogs.filter { !$0.match.contains("Bypass Permissions") },
        speakReplies: .brief)

    /// OpenAI Codex CLI 0.147: the MCP server as `-c` overrides (with a tool timeout no answer
    /// reaches), no approvals asked (the hub's sessions run unattended, like Claude Code's
    /// bypass mode), and its folder trust dialog answered.
    static let codex = AgentProfile(
        id: "codex", label: "Codex",
        command: ["codex", "--dangerously-bypass-approvals-and-sandbox"],
        mcp: .codexOverrides,
        startupInput: voiceModeInstruction,
        dialogs: [
            DialogAnswer(match: "Do you trust the contents of this directory?", answer: .select("Yes, continue")),
        ],
        speakReplies: .brief)

    /// The built-in stand-in: greets, then repeats what it heard (no Claude Code needed).
    static let demo = AgentProfile(id: "demo", label: "Demo agent", command: ["clawmux", "demo-agent"])
}
