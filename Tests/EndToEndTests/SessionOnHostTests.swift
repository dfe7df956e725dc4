import Foundation
import Hub
import Testing
import ClawMuxTesting
import WireJSON

/// Sessions on a host reached over SSH (a NamespaceHost): the agent runs in tmux there, its
/// bridge reaches the hub through the master connection's forwarded socket; a cut link or a
/// hub restart loses no turn; a host that refuses the key is named with ssh's reason.
@Suite("Sessions on SSH hosts", .serialized, .enabled(if: NamespaceHost.available, "needs root, ip and openssh-server (scripts/test.sh)"))
struct SessionOnHostTests {
    static func hub(_ name: String, hosts: [String], arguments: [String] = []) async throws -> HubProcess {
        let engines = try await FakeSpeechServer.shared()
        return try await HubProcess.start(name: name, ttsURL: engines.url, sttURL: engines.url, arguments: arguments,
                                          topLevelLines: ["hosts:"] + hosts)
    }

    static func connected(_ hub: HubProcess, _ name: String, within limit: Duration = .seconds(60)) async throws {
        _ = try await HostTests.host(hub, name, within: limit, "connected") { $0["status"]?.stringValue == "connected" }
    }

    /// The demo agent's greeting is played, the user answers `answer`, and the agent says it back.
    static func converse(_ browser: BrowserClient, _ id: String, answer: String, after from: Int = 0,
                         timeout: Duration = .seconds(60)) async throws {
        let (audioIndex, audio) = try await browser.next("audio", session: id, after: from, timeout: timeout)
        let spoken = String(decoding: Data(base64Encoded: audio["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
        #expect(spoken.contains("Hello!"), "the greeting: \(spoken)")
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        let (listening, _) = try await browser.next("listening", session: id, after: audioIndex)
        try await answerAndHear(browser, id, answer: answer, after: listening)
    }

    static func answerAndHear(_ browser: BrowserClient, _ id: String, answer: String, after from: Int,
                              timeout: Duration = .seconds(30)) async throws {
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id),
                                        "data": .string(Data(answer.utf8).base64EncodedString())]))
        let (_, said) = try await browser.next(after: from, timeout: timeout, "the agent's answer") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == id
                && ($0["text"]?.stringValue ?? "").hasPrefix("You said")
        }
        #expect(said["text"]?.stringValue == "You said: \(answer)")
    }

    static func session(_ hub: HubProcess, _ id: String) async throws -> JSONValue? {
        (try await hub.rest.get("/api/sessions").json?.arrayValue ?? []).first { $0["session_id"]?.stringValue == id }
    }

    static var home: String { NamespaceHost.home ?? "/nonexistent" }

    /// The hub's place on the host (`~/.cache/clawmux/<hub id>-<host>`); the namespace shares
    /// our file system, so it is read here.
    static func place(_ hub: HubProcess, host: String) throws -> String {
        let id = try String(contentsOfFile: hub.directory.appendingPathComponent("state/hub-id").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return home + "/.cache/clawmux/\(id)-\(host)"
    }

    /// Removes the places a test's hub made on its hosts (their home is shared by every test).
    static func removePlaces(_ hub: HubProcess) {
        removePlaces(stateDirectory: hub.directory.appendingPathComponent("state").path)
    }

    static func removePlaces(stateDirectory: String) {
        guard let id = try? String(contentsOfFile: stateDirectory + "/hub-id", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else { return }
        let folder = home + "/.cache/clawmux"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(id + "-") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    @Test("a session on a host converses like a local one; its files are there, not here; ending it ends the agent there")
    func conversesOnTheHost() async throws {
        let remote = try await NamespaceHost.start("session")
        defer { remote.stop() }
        let hub = try await Self.hub("host-session", hosts: HostTests.entry(
            remote, name: "box", key: remote.key, extra: ["projects: [\"~\", /no/such/folder]"]))
        defer { hub.stop(); Self.removePlaces(hub) }
        try await Self.connected(hub, "box")
        let browser = try await BrowserClient.connect(to: hub)
        let created = try await hub.rest.post("/api/sessions", json: .object(["host": .string("box"), "cwd": .string("/tmp")]))
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.status) \(created.text)\n\(hub.log)")
        #expect(created.json?["host"]?.stringValue == "box")
        #expect(created.json?["cwd"]?.stringValue == "/tmp")
        #expect(created.json?["terminal"]?.stringValue?.hasPrefix("on box: tmux") == true, "\(created.text)")
        try await Self.converse(browser, id, answer: "hello from far away")
        #expect(remote.runs("demo-agent"), "the agent runs inside the host's namespace")

        let place = try Self.place(hub, host: "box")
        let mcp = try String(contentsOfFile: "\(place)/\(id)/.mcp.json", encoding: .utf8)
        #expect(mcp.contains("VOICE_HUB_SOCKET") && mcp.contains("\(place)/hub.sock") && !mcp.contains("VOICE_CHAT_HUB_PORT"), "\(mcp)")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(place)/\(id)/.mcp.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: "\(hub.workRoot)/\(id)/.mcp.json"), "nothing of the agent's here")
        #expect(FileManager.default.fileExists(atPath: "\(hub.workRoot)/\(id)/session.json"), "the record is kept here")
        // The session's secret is in files only (0600), never on a command line, there or here.
        let record = try String(contentsOfFile: "\(hub.workRoot)/\(id)/session.json", encoding: .utf8)
        let secret = try #require(JSONValue.decode(record)?["secret"]?.stringValue)
        #expect(remote.commands(containing: secret).isEmpty)
        #expect(ProcessInspection.commandLines(containing: secret).isEmpty)

        // New Session's folders for the host: its config's (checked there), and the one just used.
        let projects = try await hub.rest.get("/api/projects?host=box").json
        let listed = (projects?["projects"]?.arrayValue ?? []).map {
            "\($0["path"]?.stringValue ?? "")|\($0["source"]?.stringValue ?? "")|\($0["exists"]?.boolValue == true)"
        }
        #expect(Array(listed.prefix(3)) == ["\(Self.home)|config|true", "/no/such/folder|config|false", "/tmp|recent|true"], "\(listed)")
        #expect(try await hub.rest.get("/api/projects?host=nowhere").status == 400)
        let missing = try await hub.rest.post("/api/sessions", json: .object(["host": .string("box"), "cwd": .string("/no/such/folder")]))
        #expect(missing.status == 400 && (missing.json?["error"]?.stringValue ?? "").contains("no folder /no/such/folder on host box"), "\(missing.text)")

        #expect(try await hub.rest.delete("/api/sessions/\(id)").status == 200)
        let deadline = ContinuousClock.now + .seconds(15)
        while remote.runs("demo-agent") || FileManager.default.fileExists(atPath: "\(place)/\(id)") {
            guard ContinuousClock.now < deadline else { throw TestFailure("the agent or its files outlived the session") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("two hosts and this machine at once: a session on each converses, each agent where it was asked to run")
    func twoHostsAndHere() async throws {
        let first = try await NamespaceHost.start("two-a")
        defer { first.stop() }
        let second = try await NamespaceHost.start("two-b")
        defer { second.stop() }
        let hub = try await Self.hub("host-two", hosts: HostTests.entry(first, name: "alpha", key: first.key)
            + HostTests.entry(second, name: "beta", key: second.key))
        defer { hub.stop(); Self.removePlaces(hub) }
        try await Self.connected(hub, "alpha")
        try await Self.connected(hub, "beta")
        let browser = try await BrowserClient.connect(to: hub)
        var ids: [String: String] = [:]
        for host in ["alpha", "beta", ""] {
            let body: JSONValue = host.isEmpty ? .object([:]) : .object(["host": .string(host)])
            let created = try await hub.rest.post("/api/sessions", json: body)
            ids[host] = try #require(created.json?["session_id"]?.stringValue, "\(created.text)\n\(hub.log)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (host, id) in ids {
                group.addTask { try await Self.converse(browser, id, answer: "hello from \(host.isEmpty ? "here" : host)") }
            }
            try await group.waitForAll()
        }
        for (namespace, host) in [(first, "alpha"), (second, "beta")] {
            // One agent each, in its own namespace (the tmux server there keeps the argv that started it).
            let agents = namespace.commands(containing: "demo-agent").filter { !$0.hasPrefix("tmux") }
            #expect(agents.count == 1, "\(agents)")
            #expect(FileManager.default.fileExists(atPath: try Self.place(hub, host: host) + "/\(ids[host] ?? "")/.mcp.json"))
        }
        let here = try #require(ids[""])
        #expect(try await Self.session(hub, here)?["host"] == nil, "the local session has no host")
        let local = try ProcessInspection.run(["tmux", "-L", hub.tmuxSocket, "has-session", "-t", "=\(here)"])
        #expect(local.status == 0, "the local agent runs in this machine's tmux")
    }

    @Test("a host that refuses the key, or is not in the config: a clear error, and the hub keeps serving")
    func refusedHost() async throws {
        let remote = try await NamespaceHost.start("refused")
        defer { remote.stop() }
        let hub = try await Self.hub("host-refused", hosts: HostTests.entry(remote, name: "wrongkey", key: remote.wrongKey))
        defer { hub.stop(); Self.removePlaces(hub) }
        _ = try await HostTests.host(hub, "wrongkey", "down") { $0["status"]?.stringValue == "down" && $0["last_error"] != .null }
        let refused = try await hub.rest.post("/api/sessions", json: .object(["host": .string("wrongkey")]))
        #expect(refused.status == 503)
        let message = refused.json?["error"]?.stringValue ?? ""
        #expect(message.contains("wrongkey") && message.contains("Permission denied"), "\(message)")
        let unknown = try await hub.rest.post("/api/sessions", json: .object(["host": .string("elsewhere")]))
        #expect(unknown.status == 400 && (unknown.json?["error"]?.stringValue ?? "").contains("wrongkey"), "\(unknown.text)")
        #expect(try await hub.rest.get("/api/sessions").json?.arrayValue?.isEmpty == true)
    }

    @Test("the link is cut mid-turn for a while and the user answers meanwhile: the session stays, and after the reconnect the agent gets the answer")
    func linkCutMidTurn() async throws {
        let remote = try await NamespaceHost.start("midturn")
        defer { remote.stop() }
        let hub = try await Self.hub("host-midturn", hosts: HostTests.entry(remote, name: "box", key: remote.key))
        defer { hub.stop(); Self.removePlaces(hub) }
        try await Self.connected(hub, "box")
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions", json: .object(["host": .string("box")])).json?["session_id"]?.stringValue,
                              "\(hub.log)")
        let (audioIndex, _) = try await browser.next("audio", session: id)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(id)]))
        let (listening, _) = try await browser.next("listening", session: id, after: audioIndex)

        try remote.link(up: false)
        _ = try await HostTests.host(hub, "box", within: .seconds(30), "down after the cut") { $0["status"]?.stringValue == "down" }
        let cut = browser.messages.count
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id),
                                        "data": .string(Data("said while the link was down".utf8).base64EncodedString())]))
        // Heard and transcribed here; it waits for the agent's bridge to come back.
        _ = try await browser.next(after: cut, "the answer taken") {
            $0["type"]?.stringValue == "user_text" && $0["session_id"]?.stringValue == id
        }
        // Two of the hub's health checks (every 5 s) while the host cannot be asked: its agent
        // is not known dead, so the session stays.
        try await Task.sleep(for: .seconds(11))
        #expect(try await Self.session(hub, id) != nil, "the session outlived the outage: \(hub.log.suffix(2000))")
        try remote.link(up: true)
        try await Self.connected(hub, "box")
        let (_, said) = try await browser.next(after: listening, timeout: .seconds(90), "the agent's answer after the reconnect") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == id
                && ($0["text"]?.stringValue ?? "").hasPrefix("You said")
        }
        #expect(said["text"]?.stringValue == "You said: said while the link was down")
        #expect(try await Self.session(hub, id)?["mcp_connected"]?.boolValue == true)
    }

    @Test("the hub is killed and started again: the session on the host is adopted and converses on")
    func adoptedAfterRestart() async throws {
        let remote = try await NamespaceHost.start("adopt")
        defer { remote.stop() }
        let port = try FreePort.pick()
        let first = try await Self.hub("host-adopt", hosts: HostTests.entry(remote, name: "box", key: remote.key),
                                       arguments: ["--port", "\(port)"])
        defer { first.stop(); Self.removePlaces(first) }
        try await Self.connected(first, "box")
        let browser = try await BrowserClient.connect(to: first)
        let id = try #require(try await first.rest.post("/api/sessions", json: .object(["host": .string("box")])).json?["session_id"]?.stringValue,
                              "\(first.log)")
        _ = try await browser.next("audio", session: id)

        await first.kill()
        let second = try await first.successor(name: "host-adopted", arguments: ["--port", "\(port)"])
        defer { second.stop() }
        let again = try await BrowserClient.connect(to: second)
        // The bridge reconnects through the new master's forward and asks its converse again.
        try await Self.converse(again, id, answer: "after the restart", timeout: .seconds(90))
        let adopted = try #require(try await Self.session(second, id))
        #expect(adopted["host"]?.stringValue == "box")
        #expect(remote.runs("demo-agent"))
    }

    @Test("tried as a user would: New Session → Machine: the host → its folder → the agent there converses in the page",
          .enabled(if: BrowserUI.available, "needs the real engines and Chromium (scripts/test.sh)"))
    func newSessionInThePage() async throws {
        let remote = try await NamespaceHost.start("page")
        defer { remote.stop() }
        let hub = try await BrowserUI.hub("on-host", agent: ["--turns", "2", "--stay"], topLevelLines: ["hosts:"]
            + HostTests.entry(remote, name: "box", key: remote.key, extra: ["projects: [\"~\"]"])
            + HostTests.entry(remote, name: "wrongkey", key: remote.wrongKey))
        defer { hub.stop(); Self.removePlaces(hub) }
        try await Self.connected(hub, "box")
        _ = try await HostTests.host(hub, "wrongkey", "down") { $0["status"]?.stringValue == "down" && $0["last_error"] != .null }
        let facts = try await BrowserUI.drive(hub, "on-host")
        let session = try #require(facts["session"]?.stringValue)
        #expect(facts["folder"]?.stringValue == Self.home, "the host's home, from its projects: [~]")
        let snapshot = try #require(try await Self.session(hub, session))
        #expect(snapshot["host"]?.stringValue == "box" && snapshot["cwd"]?.stringValue == Self.home, "\(snapshot)")
        #expect(remote.runs("demo-agent"))
        let entries = try await BrowserUI.transcript(hub, session)
        #expect(entries.contains { $0.role == "assistant" && $0.text.hasPrefix("You said") }, "\(entries)")
    }
}
