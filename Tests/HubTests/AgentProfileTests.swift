@testable import Hub
import PluginAPI
import Testing
import WireJSON

struct AgentProfileTests {
    private func parse(_ lines: [String]) throws -> HubConfig {
        try HubConfig.parse(yaml: (TestConfig.validLines + lines).joined(separator: "\n"), file: TestConfig.file, environment: ["HOME": "/home/u"])
    }

    @Test func builtInProfilesWithoutAnyConfig() throws {
        let config = try parse([])
        #expect(config.agents.map(\.id) == ["claude", "claude-asks", "codex", "demo"])
        #expect(config.sessions.agent == "claude")
        let claude = try #require(config.agents.first)
        #expect(claude.command == ["claude", "--dangerously-skip-permissions", "--mcp-config", "{mcp_config}", "--settings", "{hook_settings}"])
        #expect(claude.environment["CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS"] == "0")
        #expect(claude.environment["IS_SANDBOX"] == nil, "the hub never sets IS_SANDBOX by itself")
    }

    @Test func agentsChangeBuiltInsKeyByKeyAndAddNewOnes() throws {
        let config = try parse([
            "sessions:",
            "  agent: mine",
            "agents:",
            "  claude:",
            "    env: {IS_SANDBOX: \"1\"}",
            "  mine:",
            "    label: My agent",
            "    command: [my-agent, --mcp, \"{mcp_config}\"]",
            "    dialogs:",
            "      - {match: \"Continue?\", keys: [Down, Enter]}",
            "      - {match: \"Proceed\", select: \"Yes\"}",
            "      - {match: \"Old style\", answer: \"2\"}",
            "projects: [~/code/app, /srv/site]",
        ])
        #expect(config.sessions.agent == "mine")
        let claude = try #require(config.agents.first { $0.id == "claude" })
        #expect(claude.environment == ["IS_SANDBOX": "1", "CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS": "0"], "added to the built-in's")
        #expect(claude.command.first == "claude", "keys not given keep the built-in's values")
        #expect(claude.dialogs == AgentProfile.claude.dialogs)
        let mine = try #require(config.agents.first { $0.id == "mine" })
        #expect(mine.label == "My agent")
        #expect(mine.dialogs.map(\.answer) == [.keys([.down, .enter]), .select("Yes"), .keys([.text("2"), .enter])])
        #expect(config.projects == ["/home/u/code/app", "/srv/site"])
    }

    @Test func sessionsCommandIsTheDefaultProfileAsBefore() throws {
        let config = try parse([
            "sessions:",
            "  command: [clawmux, demo-agent]",
            "  startup_input: /go",
            "  prompts:",
            "    - {match: \"Trust?\", answer: \"\"}",
        ])
        #expect(config.sessions.agent == "default")
        let profile = try #require(config.agents.first)
        #expect(profile.id == "default")
        #expect(profile.command == ["clawmux", "demo-agent"])
        #expect(profile.startupInput == "/go")
        #expect(profile.dialogs == AgentProfile.claude.dialogs + [DialogAnswer(match: "Trust?", answer: .keys([.enter]))],
                "Claude Code's own answers first")
    }

    @Test func repliesAreReadInBriefByClaudeAndCodexAndAsConfigured() throws {
        let config = try parse(["agents:", "  codex: {speak_replies: full}", "  mine: {command: [a]}"])
        let modes = Dictionary(uniqueKeysWithValues: config.agents.map { ($0.id, $0.speakReplies) })
        #expect(modes["claude"] == .brief && modes["claude-asks"] == .brief && modes["codex"] == .full)
        #expect(modes["demo"] == .off && modes["mine"] == .off)
    }

    @Test(arguments: [
        (["agents:", "  x:", "    label: X"], "agents.x: missing required key 'command'"),
        (["agents:", "  Bad!: {command: [a]}"], "agent ids may use"),
        (["agents:", "  x: {command: [a], mcp: ftp}"], "expected 'config_file'"),
        (["agents:", "  x: {command: [a], dialogs: [{match: a, keys: [F13]}]}"], "unknown key \"F13\""),
        (["agents:", "  x: {command: [a], dialogs: [{match: a, keys: [Up], select: b}]}"], "give one of 'select', 'keys' or 'answer'"),
        (["sessions:", "  agent: nobody"], "unknown agent 'nobody' (agents: claude, claude-asks, codex, demo)"),
        (["projects: [relative/path]"], "expected an absolute path"),
        (["agents:", "  claude: {speak_replies: loud}"], "expected full, brief or off, found \"loud\""),
    ])
    func badAgentConfigIsNamed(lines: [String], message: String) {
        do {
            _ = try parse(lines)
            Issue.record("accepted \(lines)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}

struct AgentLaunchTests {
    private let bridge = BridgeServer(
        command: "/opt/clawmux/clawmux-mcp", arguments: [],
        environment: ["VOICE_HUB_SESSION_ID": "voice-1-abc", "VOICE_HUB_SESSION_TOKEN": "s3\"cret"])

    private func launch(_ profile: AgentProfile) -> AgentLaunch {
        AgentLaunch(profile: profile, sessionID: "voice-1-abc", sessionDirectory: "/w/voice-1-abc", workingDirectory: "/home/u/app",
                    mcpConfigPath: "/w/voice-1-abc/.mcp.json", hookSettingsPath: "/w/voice-1-abc/claude-hooks.json", bridge: bridge,
                    clawmux: "/opt/clawmux/clawmux")
    }

    @Test func claudeGetsItsConfigFileAndEnvironment() {
        let claude = launch(.claude)
        #expect(claude.argv == [
            "claude", "--dangerously-skip-permissions", "--mcp-config", "/w/voice-1-abc/.mcp.json",
            "--settings", "/w/voice-1-abc/claude-hooks.json",
        ])
        #expect(claude.environment["CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS"] == "0")
        #expect(claude.environment["VOICE_HUB_SESSION_ID"] == "voice-1-abc")
        #expect(claude.environment["CLAWMUX_MCP_CONFIG"] == "/w/voice-1-abc/.mcp.json")
    }

    @Test func codexGetsTheServerAsOverridesRightAfterTheExecutable() {
        let codex = launch(.codex)
        #expect(codex.argv.first == "codex")
        #expect(codex.argv.last == "--dangerously-bypass-approvals-and-sandbox")
        let overrides = stride(from: 1, to: codex.argv.count - 1, by: 2).map { codex.argv[$0 + 1] }
        #expect(stride(from: 1, to: codex.argv.count - 1, by: 2).allSatisfy { codex.argv[$0] == "-c" })
        #expect(!codex.argv.contains { $0.contains("s3\"cret") }, "the secret is never on the command line")
        #expect(codex.environment["VOICE_HUB_SESSION_TOKEN"] == "s3\"cret", "but in Codex's environment, which it passes on")
        #expect(overrides == [
            "mcp_servers.voice-hub.command=\"/opt/clawmux/clawmux-mcp\"",
            "mcp_servers.voice-hub.args=[]",
            "mcp_servers.voice-hub.env_vars=[\"VOICE_HUB_SESSION_ID\", \"VOICE_HUB_SESSION_TOKEN\"]",
            "mcp_servers.voice-hub.required=true",
            "mcp_servers.voice-hub.startup_timeout_sec=30",
            "mcp_servers.voice-hub.tool_timeout_sec=86400",
            "mcp_servers.voice-hub.default_tools_approval_mode=\"approve\"",
            "notify=[\"/opt/clawmux/clawmux-mcp\", \"hook\", \"/w/voice-1-abc/.mcp.json\"]",
        ])
    }

    @Test func placeholdersAndThisBinary() {
        let custom = AgentProfile(id: "x", label: "X", command: ["clawmux", "demo-agent", "{project_dir}", "{work_dir}", "{session_id}"])
        #expect(launch(custom).argv == ["/opt/clawmux/clawmux", "demo-agent", "/home/u/app", "/w/voice-1-abc", "voice-1-abc"])
    }

    @Test func claudesHooksRunTheBridgesHookCommandQuotedForItsShell() throws {
        let settings = ClaudeHookSettings.json(
            bridge: BridgeServer(command: "/opt/it's here/clawmux", arguments: ["mcp"], environment: [:]), mcpConfigPath: "/w/a b/.mcp.json",
            permissionTimeout: .seconds(90))
        let hooks = try #require(settings["hooks"]?.objectValue)
        #expect(Set(hooks.keys) == Set(ClaudeHookSettings.events + ["PermissionRequest"]))
        // The permission hook outlives the hub's own timeout: the hub denies with a reason first.
        #expect(hooks["PermissionRequest"]?[0]?["hooks"]?[0]?["timeout"] == .int(120))
        #expect(hooks["Stop"]?[0]?["hooks"]?[0]?["timeout"] == .int(ClaudeHookSettings.timeoutSeconds))
        // The hub's own tools never need the user's permission.
        #expect(settings["permissions"]?["allow"] == .array([.string("mcp__voice-hub")]))
        let pre = try #require(hooks["PreToolUse"]?[0])
        #expect(pre["matcher"] == .string("*"))
        #expect(hooks["Stop"]?[0]?["matcher"] == nil)
        #expect(pre["hooks"]?[0]?["command"] == .string(#"'/opt/it'\''s here/clawmux' 'mcp' 'hook' '/w/a b/.mcp.json'"#))
        #expect(pre["hooks"]?[0]?["type"] == .string("command"))
    }

    @Test func tomlStringsAreEscaped() {
        #expect(TOML.string("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\u0001\"")
        #expect(TOML.key("VOICE_HUB") == "VOICE_HUB")
        #expect(TOML.key("a.b") == "\"a.b\"")
    }
}

struct AgentTroubleHintsTests {
    @Test func knownReasonsGetAdvice() {
        #expect(AgentTroubleHints.hint(for: "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons")?
            .contains("IS_SANDBOX") == true)
        #expect(AgentTroubleHints.hint(for: " Unable to connect to Anthropic services\n Failed to connect to api.anthropic.com: ENOTFOUND")?
            .contains("network") == true)
        #expect(AgentTroubleHints.hint(for: "Not logged in · Please run /login")?.contains("log in") == true)
        #expect(AgentTroubleHints.hint(for: "Welcome to Claude Code") == nil)
    }
}
