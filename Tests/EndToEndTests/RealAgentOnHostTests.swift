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

    /// A hub whose `kind` agent (its profile lines given) runs on the namespace host `box`,
    /// connected; and a session started there in `project`.
    static func hubAndSession(
        _ kind: RealAgents.Kind, name: String, profile: [String], remote: NamespaceHost, project: String
    ) async throws -> (hub: HubProcess, browser: BrowserClient, id: String) {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: name, ttsURL: engines.url, sttURL: engines.url, command: nil,
            extraSessionLines: ["agent: \(kind)", "ready_timeout: 90s"],
            topLevelLines: ["agents:"] + profile + ["hosts:"] + HostTests.entry(remote, name: "box", key: remote.key))
        do {
            try await SessionOnHostTests.connected(hub, "box")
            let browser = try await BrowserClient.connect(to: hub, hello: ["activity"])
            let created = try await hub.rest.post("/api/sessions", json: .object(["host": .string("box"), "cwd": .string(project)]))
            #expect(created.status == 200, "\(created.text)\n\(hub.log.suffix(3000))")
            let id = try #require(created.json?["session_id"]?.stringValue)
            return (hub, browser, id)
        } catch {
            hub.stop()
            SessionOnHostTests.removePlaces(hub)
            throw error
        }
    }

    /// DELETE ends the session, and its agent (`executable`) on the host with it.
    static func endsThere(_ hub: HubProcess, _ id: String, remote: NamespaceHost, executable: String) async throws {
        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        let deadline = ContinuousClock.now + .seconds(15)
        while remote.runs(executable) {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("the agent outlived its session on the host: \(remote.commands(containing: executable))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
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
        let (hub, browser, id) = try await Self.hubAndSession(.claude, name: "real-on-host", profile: [
            "  claude:",
            "    env: {HOME: \"\(home)\", ANTHROPIC_BASE_URL: \"\(base)\", ANTHROPIC_API_KEY: \"\(RealAgents.apiKey)\", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"}",
        ], remote: remote, project: project)
        defer { hub.stop(); SessionOnHostTests.removePlaces(hub) }
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

        try await Self.endsThere(hub, id, remote: remote, executable: claude)
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
        let (hub, browser, id) = try await Self.hubAndSession(
            .codex, name: "real-codex-on-host", profile: RealAgentSetup.codexProfile(
                base: "http://\(remote.ourAddress):\(model.port)", home: home, codexHome: codexHome),
            remote: remote, project: project)
        defer { hub.stop(); SessionOnHostTests.removePlaces(hub) }
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

        try await Self.endsThere(hub, id, remote: remote, executable: codex)
    }
}
