/// What to do about the reasons agents give when they stop before they are ready, found in the
/// last lines of their terminal (README, "Agents", says the same at more length).
enum AgentTroubleHints {
    private static let hints: [(signs: [String], hint: String)] = [
        (["cannot be used with root/sudo privileges"],
         "Claude Code refuses to run as root: run the hub as a normal user, or, only on a throw-away sandbox, set IS_SANDBOX: \"1\" in agents.claude.env."),
        (["Not logged in", "Please run /login", "Select login method", "Invalid API key"],
         "The agent is not logged in: run it once in a terminal (claude, or codex) and log in; the hub's sessions use the same login."),
        (["Unable to connect to Anthropic services", "Failed to connect to api.anthropic.com"],
         "Claude Code cannot reach its service: check the network (and that claude works when run by hand)."),
        (["required MCP servers failed to initialize"],
         "The agent could not start the hub's MCP bridge: clawmux-mcp must sit next to clawmux (scripts/run.sh builds both)."),
    ]

    /// One line of advice for `screen`, or nil when no known reason shows.
    static func hint(for screen: String) -> String? {
        hints.first { entry in entry.signs.contains { screen.contains($0) } }?.hint
    }
}
