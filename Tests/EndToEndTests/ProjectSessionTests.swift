import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Sessions in the user's own project folders, agent profiles, and dialogs the hub cannot
/// answer, over real processes (the demo agent behind the real bridge and spawners).
@Suite("Project folders and agents")
struct ProjectSessionTests {
    /// A project folder with a file in it, and what it looks like now (names, sizes, times).
    static func makeProject(_ name: String) throws -> (path: String, snapshot: () -> [String]) {
        let folder = try TestPaths.temporaryDirectory(name).appendingPathComponent("my-app")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "# my app\n".write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let path = folder.path
        let snapshot = { () -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? []
            return names.map { name in
                let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
                return "\(name) \(attributes?[.size] ?? 0) \((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
            }
        }
        return (path, snapshot)
    }

    @Test("the agent works in the chosen folder; the session's files stay in the session dir; DELETE leaves the folder as it was",
          arguments: ["tmux", "pty"])
    func sessionInAProjectFolder(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let (project, snapshot) = try Self.makeProject("project-\(spawner)")
        let before = snapshot()
        let hub = try await HubProcess.start(name: "project-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner)
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)

        let created = try await hub.rest.post("/api/sessions", json: .object(["agent": .string("demo"), "cwd": .string(project)]))
        #expect(created.status == 200, "\(created.text)")
        let json = try #require(created.json)
        let id = try #require(json["session_id"]?.stringValue)
        #expect(json["cwd"]?.stringValue == project)
        #expect(json["project"]?.stringValue == "my-app")
        #expect(json["label"]?.stringValue == "my-app", "the tab is named after the project")
        #expect(json["agent"]?.stringValue == "demo")
        let workDir = try #require(json["work_dir"]?.stringValue)
        #expect(workDir != project)
        #expect(FileManager.default.fileExists(atPath: workDir + "/.mcp.json"))

        let agent = try ProcessInspection.agentPID(terminal: json["terminal"]?.stringValue ?? "", tmuxSocket: hub.tmuxSocket, sessionID: id)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(agent)/cwd") == project)

        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: 0, answer: Data("build it".utf8))
        #expect(turn.said.hasPrefix("Hello!"))
        let (_, next) = try await browser.next("assistant_text", session: id, after: turn.end)
        #expect(next["text"]?.stringValue == "You said: build it")

        let projects = try await hub.rest.get("/api/projects").json?["projects"]?.arrayValue ?? []
        #expect(projects.contains { $0["path"]?.stringValue == project && $0["source"]?.stringValue == "recent" })

        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        #expect(!FileManager.default.fileExists(atPath: workDir))
        #expect(FileManager.default.fileExists(atPath: project))
        #expect(snapshot() == before, "nothing in the project folder was added, removed or changed")
    }

    @Test("without a project folder the agent works in an empty scratch folder with no .mcp.json in it or above it",
          arguments: ["tmux", "pty"])
    func scratchFolder(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(name: "scratch-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner)
        defer { hub.stop() }
        let created = try #require(try await hub.rest.post("/api/sessions", json: .object(["agent": .string("demo")])).json)
        let id = try #require(created["session_id"]?.stringValue)
        let agent = try ProcessInspection.agentPID(terminal: created["terminal"]?.stringValue ?? "", tmuxSocket: hub.tmuxSocket, sessionID: id)
        let cwd = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(agent)/cwd")
        // Claude Code reads a .mcp.json in its folder or any folder above and asks about it.
        var folder = URL(fileURLWithPath: cwd)
        while folder.path != "/" {
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".mcp.json").path), "a .mcp.json at \(folder.path)")
            folder.deleteLastPathComponent()
        }
        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        #expect(!FileManager.default.fileExists(atPath: cwd), "the scratch folder goes with the session")
    }

    @Test("bad agent and cwd values are 400 with a message that says what is wrong; the hub goes on")
    func badInput() async throws {
        let engines = try await FakeSpeechServer.shared()
        let (project, _) = try Self.makeProject("bad-input")
        let hub = try await HubProcess.start(name: "bad-input", ttsURL: engines.url, sttURL: engines.url)
        defer { hub.stop() }
        let cases: [(JSONValue, String)] = [
            (.object(["cwd": .string("relative/path")]), "must be an absolute path"),
            (.object(["cwd": .string(project + "/missing")]), "does not exist"),
            (.object(["cwd": .string(project + "/README.md")]), "is a file, not a folder"),
            (.object(["cwd": .number(3)]), "cwd must be a string"),
            (.object(["agent": .string("gpt-9")]), "unknown agent 'gpt-9'; valid agents: default, claude, claude-asks, codex, demo"),
            (.object(["agent": .bool(true)]), "agent must be a string"),
        ]
        for (body, message) in cases {
            let reply = try await hub.rest.post("/api/sessions", json: body)
            #expect(reply.status == 400, "\(body.encodedText()) → \(reply.status) \(reply.text)")
            #expect(reply.json?["error"]?.stringValue?.contains(message) == true, "\(body.encodedText()) → \(reply.text)")
        }
        #expect(try await hub.rest.get("/api/sessions").json == .array([]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: project) == ["README.md"])

        let agents = try #require(try await hub.rest.get("/api/agents").json)
        let ids = agents["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids == ["default", "claude", "claude-asks", "codex", "demo"])
        let demo = agents["agents"]?.arrayValue?.first { $0["id"]?.stringValue == "demo" }
        #expect(demo?["available"]?.boolValue == true)
        #expect(agents["default"]?.stringValue == "default")
        // A session still starts after all that.
        #expect(try await hub.rest.post("/api/sessions").status == 200)
    }

    @Test("GET /api/sessions/{id}/screen: the agent's terminal as it shows now, row by row", arguments: ["tmux", "pty"])
    func screen(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "screen-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner,
            command: ["clawmux", "demo-agent", "--ask", "Deploy to staging?"])
        defer { hub.stop() }
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        var lines: [String] = []
        for _ in 0..<200 {
            let reply = try await hub.rest.get("/api/sessions/\(id)/screen")
            #expect(reply.status == 200)
            lines = reply.json?["lines"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if lines.contains(where: { $0.contains("Deploy to staging? (press Enter to continue)") }) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(lines.contains { $0.contains("Deploy to staging? (press Enter to continue)") }, "\(lines)")
        #expect(lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == false, "no trailing blank rows")
        #expect(try await hub.rest.get("/api/sessions/voice-9-nothere/screen").status == 404)
    }

    @Test("a dialog the hub cannot answer: the session needs you, with the screen; keys sent through the hub answer it",
          arguments: ["tmux", "pty"])
    func unknownDialogNeedsTheUser(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let hub = try await HubProcess.start(
            name: "needs-you-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner,
            command: ["clawmux", "demo-agent", "--ask", "Use the staging database?"], extraSessionLines: ["ready_timeout: 8s"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: [])
        let posted = ContinuousClock.now
        let created = try #require(try await hub.rest.post("/api/sessions?wait=false").json)
        let id = try #require(created["session_id"]?.stringValue)

        let (index, status) = try await browser.next(after: 0, "needs_you") {
            $0["type"]?.stringValue == "session_status" && $0["status"]?.stringValue == "needs_you"
        }
        #expect(status["detail"]?.stringValue?.contains("no answer for") == true)
        #expect(status["screen"]?.stringValue?.contains("Use the staging database? (press Enter to continue)") == true)
        #expect(try await hub.rest.get("/api/sessions").json?[0]?["status"]?.stringValue == "needs_you")
        // Past the ready timeout: a session that waits for the user is not removed.
        try await Task.sleep(until: posted + .seconds(9))
        #expect(try await hub.rest.get("/api/sessions").json?[0]?["status"]?.stringValue == "needs_you")

        let bad = try await hub.rest.post("/api/sessions/\(id)/keys", json: .object(["keys": .array([.string("F13")])]))
        #expect(bad.status == 400)
        #expect(bad.json?["error"]?.stringValue?.contains("unknown key \"F13\"") == true)
        let sent = try await hub.rest.post("/api/sessions/\(id)/keys", json: .object(["keys": .array([.string("Enter")])]))
        #expect(sent.status == 200, "\(sent.text)")
        do {
            _ = try await browser.next(after: index, "ready") {
                $0["type"]?.stringValue == "session_status" && $0["status"]?.stringValue == "ready"
            }
        } catch {
            // Seen twice in ~40 runs under load, never alone: the hub's side of the story.
            throw TestFailure("\(error)\nthe hub's log:\n\(hub.log.suffix(6000))")
        }
    }
}
