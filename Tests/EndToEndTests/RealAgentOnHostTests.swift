import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// The real Claude Code and Codex on an SSH host (a NamespaceHost), as a user would run them
/// there: installed in `~/.local/bin` of the account the hub logs in as, a HOME that never trusted
/// anything, a project folder of that account's. The hub answers their dialogs through tmux over
/// SSH; their MCP bridge and hooks reach the hub through the forwarded socket; their model (our
/// fake) is reached on our end of the link.
@Suite("Real agents on an SSH host", .serialized,
       .enabled(if: RealAgents.available && NamespaceHost.available, "run scripts/test.sh: it fetches the real agents and sets up the hosts"))
struct RealAgentOnHostTests {
    /// The agent where a login of the host's account finds it, linked (same file system), not copied.
    static func install(_ kind: RealAgents.Kind, home: String) throws {
        let bin = home + "/.local/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try NamespaceHost.run(["chown", "-R", NamespaceHost.user, home + "/.local"])
        let target = bin + "/\(kind)"
        if !FileManager.default.fileExists(atPath: target) {
            try FileManager.default.linkItem(atPath: (RealAgents.bin ?? "") + "/\(kind)", toPath: target)
        }
    }

    /// The account's own throwaway HOME for the agent and its project, in a folder of ours.
    static func folders(_ name: String) throws -> (directory: URL, home: String, project: String) {
        let directory = try TestPaths.temporaryDirectory(name)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let home = directory.appendingPathComponent("home").path
        let project = directory.appendingPathComponent("project").path
        for folder in [home, project] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try "print('hello')\n".write(toFile: project + "/app.py", atomically: true, encoding: .utf8)
        return (directory, home, project)
    }

    @Test("dialogs answered over SSH → ready → two spoken turns → the hooks show its work → DELETE ends it there",
          .timeLimit(.minutes(4)))
    func claudeOnAHost() async throws {
        let remote = try await NamespaceHost.start("claude")
        defer { remote.stop() }
        let userHome = try #require(NamespaceHost.home)
        try Self.install(.claude, home: userHome)
        let (directory, home, project) = try Self.folders("real-on-host")
        try #"{"hasCompletedOnboarding": true}"#.write(toFile: home + "/.claude.json", atomically: true, encoding: .utf8)
        try NamespaceHost.run(["chown", "-R", NamespaceHost.user, home, project])

        let model = try await FakeModelServer.start(.claude, directory: directory, turns: 2,
                                                    arguments: ["--host", remote.ourAddress, "--bash-first", "sleep 1; echo done"])
        let base = "http://\(remote.ourAddress):\(model.port)"
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "real-on-host", ttsURL: engines.url, sttURL: engines.url, command: nil,
            extraSessionLines: ["agent: claude", "ready_timeout: 90s"],
            topLevelLines: [
                "agents:",
                "  claude:",
                "    env: {HOME: \"\(home)\", ANTHROPIC_BASE_URL: \"\(base)\", ANTHROPIC_API_KEY: \"\(RealAgents.apiKey)\", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"}",
                "hosts:",
            ] + HostTests.entry(remote, name: "box", key: remote.key))
        defer { hub.stop(); SessionOnHostTests.removePlaces(hub) }
        try await SessionOnHostTests.connected(hub, "box")
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity"])

        let created = try await hub.rest.post("/api/sessions", json: .object(["host": .string("box"), "cwd": .string(project)]))
        #expect(created.status == 200, "\(created.text)\n\(hub.log.suffix(3000))")
        let id = try #require(created.json?["session_id"]?.stringValue)
        let answered = hub.log.components(separatedBy: "answering terminal dialog").count - 1
        #expect(answered >= 3, "trust, API key and bypass answered through tmux on the host: \(answered)")
        let claude = userHome + "/.local/bin/claude"
        #expect(remote.runs(claude), "Claude Code runs inside the host: \(remote.commands(containing: "claude"))")

        // Its hook reports the Bash tool it runs first (through the forwarded socket).
        let (toolIndex, tool) = try await browser.next(after: 0, timeout: .seconds(60), "the Bash tool as activity") {
            $0["type"]?.stringValue == "session_activity" && $0["activity"]?["tool"]?.stringValue == "Bash"
        }
        #expect(tool["activity"]?["detail"]?.stringValue == "sleep 1; echo done")
        var index = toolIndex
        for n in 1...2 {
            let turn = try await Conversation(browser: browser, sessionID: id)
                .turn(after: index, answer: Data("answer \(n)".utf8), timeout: .seconds(90))
            #expect(turn.said == (n == 1 ? "Hello from Claude. Turn 1?" : "You said: answer 1. Turn 2?"))
            index = turn.end
        }
        let (_, goodbye) = try await browser.next("assistant_text", session: id, after: index, timeout: .seconds(90))
        #expect(goodbye["text"]?.stringValue?.hasPrefix("Goodbye!") == true)
        #expect(!hub.log.contains("refused a hook report"))
        let main = model.requests.filter { $0["kind"]?.stringValue == "main" }
        #expect(main.first?["converse_listed"]?.boolValue == true, "the first model request had the converse tool")

        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        let deadline = ContinuousClock.now + .seconds(15)
        while remote.runs(claude) {
            guard ContinuousClock.now < deadline else { throw TestFailure("Claude Code outlived its session on the host: \(remote.commands(containing: "claude"))") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("Codex: its trust dialog answered over SSH → a spoken turn → its notify says the turn ended → DELETE ends it there",
          .timeLimit(.minutes(4)))
    func codexOnAHost() async throws {
        let remote = try await NamespaceHost.start("codex")
        defer { remote.stop() }
        let userHome = try #require(NamespaceHost.home)
        try Self.install(.codex, home: userHome)
        let (directory, home, project) = try Self.folders("real-codex-on-host")
        let codexHome = home + "/.codex"
        try FileManager.default.createDirectory(atPath: codexHome, withIntermediateDirectories: true)
        try NamespaceHost.run(["chown", "-R", NamespaceHost.user, home, project])

        let model = try await FakeModelServer.start(.codex, directory: directory, turns: 1, arguments: ["--host", remote.ourAddress])
        let base = "http://\(remote.ourAddress):\(model.port)"
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "real-codex-on-host", ttsURL: engines.url, sttURL: engines.url, command: nil,
            extraSessionLines: ["agent: codex", "ready_timeout: 90s"],
            topLevelLines: [
                "agents:",
                "  codex:",
                "    command: [codex, --dangerously-bypass-approvals-and-sandbox, --strict-config, -c, model_provider=fake, -c, model=gpt-5.5,",
                "              -c, model_providers.fake.name=fake, -c, \"model_providers.fake.base_url=\(base)/v1\",",
                "              -c, model_providers.fake.wire_api=responses, -c, check_for_update_on_startup=false, --disable, plugins, --disable, apps]",
                "    env: {HOME: \"\(home)\", CODEX_HOME: \"\(codexHome)\"}",
                "hosts:",
            ] + HostTests.entry(remote, name: "box", key: remote.key))
        defer { hub.stop(); SessionOnHostTests.removePlaces(hub) }
        try await SessionOnHostTests.connected(hub, "box")
        let browser = try await BrowserClient.connect(to: hub, hello: ["activity"])

        let created = try await hub.rest.post("/api/sessions", json: .object(["host": .string("box"), "cwd": .string(project)]))
        #expect(created.status == 200, "\(created.text)\n\(hub.log.suffix(3000))")
        let id = try #require(created.json?["session_id"]?.stringValue)
        #expect(hub.log.contains("answering terminal dialog"), "its trust dialog, answered through tmux on the host")
        let codex = userHome + "/.local/bin/codex"
        #expect(remote.runs(codex), "Codex runs inside the host: \(remote.commands(containing: "codex"))")

        let turn = try await Conversation(browser: browser, sessionID: id)
            .turn(after: 0, answer: Data("answer 1".utf8), timeout: .seconds(90))
        #expect(turn.said == "Hello from Codex. Turn 1?")
        let (end, goodbye) = try await browser.next("assistant_text", session: id, after: turn.end, timeout: .seconds(90))
        #expect(goodbye["text"]?.stringValue?.hasPrefix("Goodbye!") == true)
        // Its notify program (the bridge's hook command, on the host) reports the finished turn.
        _ = try await RealAgentTests.activity("idle", after: end, browser: browser)
        #expect(!hub.log.contains("refused a hook report"))

        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        let deadline = ContinuousClock.now + .seconds(15)
        while remote.runs(codex) {
            guard ContinuousClock.now < deadline else { throw TestFailure("Codex outlived its session on the host: \(remote.commands(containing: "codex"))") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
