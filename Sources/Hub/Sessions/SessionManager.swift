import Foundation
import BridgeProtocol
import Logging
import PluginAPI
import WireJSON
import PluginRuntime

/// Creates, finds and ends sessions; watches for dead agents and idle sessions.
public actor SessionManager {
    private var sessions: [String: Session] = [:]
    /// Order of creation, for stable listings.
    private var order: [String] = []
    private var counter = 0
    private let spawner: any Spawner
    private let spawnerName: String
    private let services: SessionServices
    private let bridgeExecutable: String
    /// The port bridges connect to; known once the server is listening (it may have been 0).
    private var hubPort: Int
    private let hubHost: String
    private let logger: Logger
    /// Held for the hub's lifetime: one hub per work root.
    private let workRootLock: WorkRootLock
    private let agents: [AgentProfile]
    private let defaultAgent: String
    private let configuredProjects: [String]
    private let recentProjects: RecentProjects
    /// The hosts sessions may run on, and the spawner that starts agents there (nil: none can).
    let hosts: HostLinks
    let hostSpawner: (name: String, spawner: any Spawner)?
    /// Sessions being set up (id → voice), not yet listed.
    private var settingUp: [String: String] = [:]

    public init(config: HubConfig, speech: SpeechStack, browsers: BrowserHub, hosts: HostLinks, bridgeExecutable: String, logger: Logger) throws {
        workRootLock = try WorkRootLock(root: config.sessions.workRoot)
        guard let spawner = speech.registry.spawner(config.sessions.spawner) else {
            throw ConfigError(file: config.file, line: 0, column: 0, keyPath: "sessions.spawner", message: "spawner missing")
        }
        self.spawner = spawner
        self.spawnerName = config.sessions.spawner
        self.hosts = hosts
        self.hostSpawner = speech.registry.hostSpawner(preferring: config.sessions.spawner)
        self.services = SessionServices(
            router: speech.router, transcriptDirectory: config.server.stateDirectory + "/transcripts",
            browsers: browsers, settings: config.sessions, limits: config.limits, prompts: PromptRouter(), logger: logger)
        self.bridgeExecutable = bridgeExecutable
        self.hubPort = config.server.port
        self.hubHost = config.server.host
        self.logger = logger
        self.agents = config.agents
        self.defaultAgent = config.sessions.agent
        self.configuredProjects = config.projects
        self.recentProjects = RecentProjects(stateDirectory: config.server.stateDirectory)
    }

    // MARK: Agents and projects

    /// `GET /api/agents`: each profile, and whether its executable is found.
    public func agentsReport() -> JSONValue {
        let path = ProcessInfo.processInfo.environment["PATH"]
        return .object([
            "default": .string(defaultAgent),
            "agents": .array(agents.map { profile in
                let executable = profile.command.first ?? ""
                let found = executable == "clawmux"
                    ? bridgeExecutable
                    : ExecutableLookup.resolve(executable, searchPath: path, workingDirectory: "/")
                var fields: [String: JSONValue] = [
                    "id": .string(profile.id), "label": .string(profile.label), "command": .string(executable),
                    "available": .bool(found != nil), "default": .bool(profile.id == defaultAgent),
                ]
                if let found { fields["path"] = .string(found) }
                return .object(fields)
            }),
        ])
    }

    /// `GET /api/projects`: folders to offer in New Session: the config's, the recently used
    /// ones, and those Claude Code knows (read from `~/.claude.json`, never written).
    /// Off the actor: reading the user's folders and `~/.claude.json` must not hold up sessions.
    public nonisolated func projectsReport(host: String? = nil) async throws(SessionError) -> JSONValue {
        if let host, !host.isEmpty {
            guard hosts.host(named: host) != nil else { throw .unknownHost(host, valid: hosts.hosts.map(\.name)) }
            do {
                return try await HostProjects.report(host: host, links: hosts, recent: await recentProjects.all(on: host))
            } catch {
                throw .unavailable("\(error)")
            }
        }
        var seen = Set<String>()
        var entries: [JSONValue] = []
        func add(_ path: String, source: String) {
            guard seen.insert(path).inserted else { return }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            entries.append(.object([
                "path": .string(path), "name": .string(ProjectFolder.name(of: path)),
                "source": .string(source), "exists": .bool(exists),
            ]))
        }
        for path in configuredProjects { add(path, source: "config") }
        for path in await recentProjects.all() { add(path, source: "recent") }
        for path in ClaudeKnownProjects.read(home: ProcessInfo.processInfo.environment["HOME"]) { add(path, source: "claude") }
        return .object(["projects": .array(entries)])
    }

    public func serverStarted(port: Int) {
        hubPort = port
    }

    public var router: SpeechRouter { services.router }

    public func snapshots() async -> [SessionSnapshot] {
        var result: [SessionSnapshot] = []
        for id in order {
            if let session = sessions[id] { result.append(await session.snapshot()) }
        }
        return result
    }

    func session(_ id: String) -> Session? {
        sessions[id]
    }

    // MARK: Create

    /// Spawns an agent; with `wait`, returns once its bridge connected (or fails and cleans up).
    public func create(
        label rawLabel: String?, voice requestedVoice: String?, agent requestedAgent: String? = nil,
        cwd requestedDirectory: String? = nil, host requestedHost: String? = nil, wait: Bool
    ) async throws(SessionError) -> SessionSnapshot {
        let hostName = requestedHost.flatMap { $0.isEmpty ? nil : $0 }
        if let hostName, hosts.host(named: hostName) == nil {
            throw .unknownHost(hostName, valid: hosts.hosts.map(\.name))
        }
        let agentID = requestedAgent.flatMap { $0.isEmpty ? nil : $0 } ?? defaultAgent
        guard let profile = agents.first(where: { $0.id == agentID }) else {
            throw .unknownAgent(agentID, valid: agents.map(\.id))
        }
        var projectDirectory: String?
        if let requestedDirectory, hostName == nil {
            switch ProjectFolder.validated(requestedDirectory, outside: services.settings.workRoot) {
            case .success(let folder): projectDirectory = folder
            case .failure(let problem): throw .invalidDirectory(problem.description)
            }
        }
        let route: VoiceRoute
        if let requestedVoice, !requestedVoice.isEmpty {
            guard let known = services.router.route(requestedVoice) else {
                throw .unknownVoice(requestedVoice, valid: services.router.validIDs)
            }
            route = known
        } else {
            var used = Set(settingUp.values)
            for session in sessions.values { used.insert(await session.voice) }
            route = services.router.distinctVoice(avoiding: used)
        }
        let label = try SessionLabel.validated(rawLabel ?? "")
        guard sessions.count + settingUp.count < services.settings.maxSessions else {
            throw .unavailable("the hub already runs \(sessions.count) sessions (sessions.max_sessions)")
        }

        counter += 1
        let id = SessionIdentifier.make(number: counter)
        // Held from here until the session is listed (a host's setup takes a while): others
        // created meanwhile count it, and take another voice.
        settingUp[id] = route.id
        defer { settingUp[id] = nil }
        let secret = RandomToken.hex(bytes: 32)
        var bridgeEnvironment = [
            BridgeProtocol.Environment.sessionID: id,
            BridgeProtocol.Environment.hubPort: "\(hubPort)",
            BridgeProtocol.Environment.token: secret,
        ]
        if !["127.0.0.1", "0.0.0.0", "localhost", "::", "::1"].contains(hubHost) {
            bridgeEnvironment[BridgeProtocol.Environment.host] = hubHost
        }
        let hookSettings = profile.command.contains { $0.contains("{hook_settings}") } ? services.settings.permissionTimeout : nil
        var bridge = BridgeServer(clawmux: bridgeExecutable, environment: bridgeEnvironment)
        var onHost: HostSessionSetup?
        var chosenSpawner = (name: spawnerName, spawner: spawner)
        if let hostName {
            guard let hostSpawner else { throw .unavailable("no spawner declared here starts agents on other hosts (declare a tmux backend)") }
            chosenSpawner = hostSpawner
            let setup = try await HostSessionSetup.make(
                host: hostName, id: id, secret: secret, requestedDirectory: requestedDirectory, hookSettings: hookSettings,
                links: hosts, localBridge: RemoteBridge.localBinary(nextTo: bridgeExecutable))
            (onHost, bridge, projectDirectory) = (setup, setup.bridge, setup.projectDirectory)
        }
        let workspace: SessionWorkspace
        do {
            workspace = onHost == nil
                ? try SessionWorkspace.create(root: services.settings.workRoot, id: id, bridge: bridge, hookSettings: hookSettings)
                : try SessionWorkspace.create(root: services.settings.workRoot, id: id)
        } catch {
            if let onHost { await onHost.workspace.remove() }
            throw .unavailable("cannot create the session directory: \(error)")
        }
        let defaultLabel = projectDirectory.map(ProjectFolder.name(of:)) ?? route.label
        let session = Session(id: id, label: label.isEmpty ? defaultLabel : label, voice: route.id,
                              workspace: workspace, secret: secret, spawnerName: chosenSpawner.name, profile: profile,
                              projectDirectory: projectDirectory, remote: onHost?.workspace, services: services)
        sessions[id] = session
        settingUp[id] = nil
        await services.prompts.register(session)
        order.append(id)
        logger.info("starting session", metadata: [
            "session": "\(id)", "voice": "\(route.id)", "agent": "\(profile.id)", "cwd": "\(projectDirectory ?? "(scratch)")",
            "host": "\(hostName ?? "-")",
        ])
        await services.browsers.broadcast(.sessionStatus(await session.snapshot()))

        // The agent's files: on its host, or here.
        let files: any AgentFiles = onHost?.workspace ?? workspace
        let workingDirectory = projectDirectory ?? files.scratchDirectory
        let launch = AgentLaunch(
            profile: profile, sessionID: id, sessionDirectory: files.directory, workingDirectory: workingDirectory,
            mcpConfigPath: files.mcpConfigPath, hookSettingsPath: files.hookSettingsPath, bridge: bridge, clawmux: bridgeExecutable)
        let spec = SpawnSpec(
            name: id, argv: launch.argv, environment: launch.environment,
            workingDirectory: workingDirectory, sessionDirectory: files.directory,
            logFile: onHost == nil ? workspace.terminalLogPath : nil, host: onHost?.shell)
        do {
            guard await session.started(try await chosenSpawner.spawner.spawn(spec)) else { throw SessionError.notFound(id) }
            // Remembered once an agent was started there (a folder whose agent could not start is not).
            if let projectDirectory { await recentProjects.used(projectDirectory, on: hostName) }
        } catch let error as SessionError {
            throw error
        } catch {
            await remove(id, reason: "the agent could not be started")
            throw .unavailable("\(error)")
        }
        // Watched to the end either way: a session started without waiting (the page's) that
        // times out or whose agent exits is removed, and the browsers are told why.
        guard wait else {
            Task { _ = try? await self.awaitReady(session) }
            return await session.snapshot()
        }
        return try await awaitReady(session)
    }

    private func awaitReady(_ session: Session) async throws(SessionError) -> SessionSnapshot {
        let timeout = services.settings.readyTimeout
        // Fires every `timeout` until the session is ready; the session decides (one that waits
        // for the user's answer to a dialog is not timed out).
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                await session.readyTimerFired()
            }
        }
        let readiness = await session.waitUntilReady()
        timer.cancel()
        switch readiness {
        case .ready:
            return await session.snapshot()
        case .timedOut:
            let tail = await session.terminalTail().map { " Its terminal shows:\n\($0)" } ?? ""
            let message = "the agent was not ready within \(timeout) (its MCP bridge did not complete the handshake); the session was removed.\(tail)"
            // The browsers hear why before the session goes (a page that started it without waiting).
            await services.browsers.broadcast(.error(sessionID: session.id, message: message))
            await remove(session.id, reason: "its agent did not get ready")
            throw .bridgeTimeout(message)
        case .agentExited:
            let tail = await session.terminalTail().map { " Its terminal showed:\n\($0)" } ?? ""
            let message = "the agent exited before its MCP bridge connected.\(tail)"
            await services.browsers.broadcast(.error(sessionID: session.id, message: message))
            await remove(session.id, reason: "the agent exited during start-up")
            throw .unavailable(message)
        case .terminated:
            throw .notFound(session.id)
        }
    }

    // MARK: Adopt

    /// At start-up: takes over the sessions an earlier run of the hub left behind whose agent
    /// still runs (tmux, or a pty host); their bridges reconnect by themselves and a converse in flight is sent
    /// again. Sessions whose agent is gone (or that the current spawner cannot take) are cleaned up.
    public func adoptSurvivors() async {
        let root = services.settings.workRoot
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for name in names.sorted() where SessionIdentifier.isWellFormed(name) && sessions[name] == nil {
            let workspace = SessionWorkspace(directory: root + "/" + name)
            if let record = workspace.loadRecord(), record.id == name, let host = record.host {
                // Its id stays taken while the host is awaited.
                counter = max(counter, SessionIdentifier.number(of: name) ?? 0)
                Task { await self.adoptOnHost(record, host: host, workspace: workspace) }
                continue
            }
            guard let record = workspace.loadRecord(), record.id == name, record.spawner == spawnerName,
                  let profile = adoptableProfile(record),
                  let agent = await spawner.adopt(name: name, sessionDirectory: workspace.directory), await agent.isAlive() else {
                logger.info("cleaning up a session of an earlier run", metadata: ["session": "\(name)"])
                if let agent = await spawner.adopt(name: name, sessionDirectory: workspace.directory) { await agent.terminate() }
                workspace.remove()
                continue
            }
            counter = max(counter, SessionIdentifier.number(of: name) ?? 0)
            await takeOver(record, agent: agent, profile: profile, spawnerName: spawnerName, workspace: workspace, remote: nil)
        }
    }

    /// The profile of a recorded session this hub can still run (its voice and profile exist).
    private func adoptableProfile(_ record: SessionWorkspace.Record) -> AgentProfile? {
        guard services.router.route(record.voice) != nil else { return nil }
        return agents.first { $0.id == (record.agent ?? defaultAgent) }
    }

    /// A live agent of an earlier run becomes a session again; its bridge reconnects by itself.
    private func takeOver(
        _ record: SessionWorkspace.Record, agent: any SpawnedAgent, profile: AgentProfile, spawnerName: String,
        workspace: SessionWorkspace, remote: RemoteWorkspace?
    ) async {
        let session = Session(
            id: record.id, label: record.label, voice: record.voice, speed: record.speed, workspace: workspace,
            secret: record.secret, spawnerName: spawnerName, profile: profile, projectDirectory: record.projectDirectory,
            remote: remote, createdAt: record.createdAt, adopted: true, heldPrompts: record.heldPrompts ?? [], services: services)
        sessions[record.id] = session
        await services.prompts.register(session)
        order.append(record.id)
        _ = await session.started(agent)
        await services.browsers.broadcast(.sessionStatus(await session.snapshot()))
        logger.notice("adopted a session of an earlier run; waiting for its bridge",
                      metadata: ["session": "\(record.id)", "host": "\(remote?.hostName ?? "-")"])
        // A bridge that does not come back in time: the session goes like any that never got ready.
        Task { _ = try? await self.awaitReady(session) }
    }

    /// A session an earlier run started on a host: once the host is connected (however long
    /// that takes: the agent may well still run there), taken over if its agent still runs,
    /// else cleaned up here and there.
    private func adoptOnHost(_ record: SessionWorkspace.Record, host: String, workspace: SessionWorkspace) async {
        guard hosts.host(named: host) != nil, let hostSpawner, record.spawner == hostSpawner.name,
              let profile = adoptableProfile(record) else {
            logger.info("cleaning up a session of an earlier run (its host or profile is gone)", metadata: ["session": "\(record.id)", "host": "\(host)"])
            workspace.remove()
            return
        }
        logger.info("waiting for host \(host) to take over a session of an earlier run", metadata: ["session": "\(record.id)"])
        let shell = HostConnection(hostName: host, links: hosts)
        var found: (agent: any SpawnedAgent, place: RemotePlace)?
        // A link that drops while the agent is looked for tells nothing: wait for it again.
        while found == nil {
            guard await hosts.waitUntilConnected(host) else { return }
            do {
                let place = try await hosts.place(of: host)
                guard let agent = try await hostSpawner.spawner.adopt(name: record.id, on: shell), await agent.isAlive() else {
                    logger.info("cleaning up a session of an earlier run", metadata: ["session": "\(record.id)", "host": "\(host)"])
                    if let agent = try? await hostSpawner.spawner.adopt(name: record.id, on: shell) { await agent.terminate() }
                    workspace.remove()
                    await RemoteWorkspace(hostName: host, place: place, id: record.id, links: hosts).remove()
                    return
                }
                found = (agent, place)
            } catch {
                logger.info("host \(host) went away while a session of an earlier run was looked for; waiting", metadata: ["session": "\(record.id)", "error": "\(error)"])
                if await hosts.isConnected(host) { try? await Task.sleep(for: .seconds(5)) }
            }
        }
        guard let (agent, place) = found, sessions[record.id] == nil else { return }
        await takeOver(record, agent: agent, profile: profile, spawnerName: hostSpawner.name, workspace: workspace,
                       remote: RemoteWorkspace(hostName: host, place: place, id: record.id, links: hosts))
    }

    // MARK: Change

    public func setVoice(_ id: String, voice: String) async throws(SessionError) -> SessionSnapshot {
        guard let session = sessions[id] else { throw .notFound(id) }
        guard let route = services.router.route(voice) else { throw .unknownVoice(voice, valid: services.router.validIDs) }
        await session.setVoice(route, replacingLabel: services.router.route(await session.voice)?.label)
        logger.info("voice changed", metadata: ["session": "\(id)", "voice": "\(voice)"])
        return await session.snapshot()
    }

    /// Speech speed for the session's next turns, 0.5 (slow) to 2.0 (fast).
    public func setSpeed(_ id: String, speed: Double) async throws(SessionError) -> SessionSnapshot {
        guard let session = sessions[id] else { throw .notFound(id) }
        guard speed.isFinite, (0.5...2.0).contains(speed) else { throw .invalidSpeed(speed) }
        await session.setSpeed(speed)
        return await session.snapshot()
    }

    // MARK: End

    public func terminate(_ id: String) async throws(SessionError) {
        guard sessions[id] != nil else { throw .notFound(id) }
        await remove(id, reason: "the session was terminated")
    }

    private func remove(_ id: String, reason: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await services.prompts.unregister(id)
        order.removeAll { $0 == id }
        logger.info("ending session", metadata: ["session": "\(id)", "reason": "\(reason)"])
        await session.end(reason: reason)
        await services.browsers.broadcast(.sessionTerminated(id: id))
    }

    /// Ends every session at once (shutdown).
    public func terminateAll() async {
        let ids = order
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask { await self.remove(id, reason: "the hub is shutting down") }
            }
        }
    }

    /// Every few seconds (5 s, or the idle timeout if shorter): remove sessions whose agent
    /// died or that sat idle too long.
    public func watch() async {
        let settings = services.settings
        let period = min(.seconds(5), max(.milliseconds(200), min(settings.idleTimeout, settings.noListenerTimeout) / 4))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            let browsers = await services.browsers.count
            for (id, session) in sessions {
                if let reason = await session.healthCheck(browsers: browsers) { await remove(id, reason: reason) }
            }
        }
    }

    // MARK: Browser and bridge entry points

    /// A session's transcript, also after it ended; nil for an id that never had one.
    public func transcript(_ id: String) -> [JSONValue]? {
        guard SessionIdentifier.isWellFormed(id) else { return nil }
        return TranscriptLog.read(directory: services.transcriptDirectory, sessionID: id)
    }

    /// For a browser that announced `transcript`: every live session's conversation so far.
    public func sendTranscripts(to client: BrowserHub.ClientID) async {
        for id in order {
            let entries = TranscriptLog.read(directory: services.transcriptDirectory, sessionID: id) ?? []
            await services.browsers.send(.transcript(sessionID: id, entries: entries), to: client)
        }
    }

    public func browserConnected(_ client: BrowserHub.ClientID) async {
        await services.browsers.send(.sessionList(await snapshots()), to: client)
        await replayPending(to: client)
    }

    /// Each session's turn in progress, for one browser: at connect, and after a hello with
    /// `audio_stream` the chunks of a turn still being spoken (`streamedOnly`).
    public func replayPending(to client: BrowserHub.ClientID, streamedOnly: Bool = false) async {
        for id in order {
            await sessions[id]?.replayPending(to: client, streamedOnly: streamedOnly)
        }
    }

    /// Checks a bridge's credentials before its WebSocket is accepted.
    public func authorizeBridge(sessionID: String, token: String?) async -> Bool {
        guard let session = sessions[sessionID] else { return false }
        guard let token, !token.isEmpty else { return services.settings.allowBridgesWithoutToken }
        return ConstantTime.equals(token, session.secret)
    }

    public var browserLimits: Limits { services.limits }

    /// Keys from the page for a dialog in a session's terminal.
    public func sendKeys(_ id: String, keys: [TerminalKey]) async throws(SessionError) {
        guard let session = sessions[id] else { throw .notFound(id) }
        try await session.sendKeys(keys)
    }

    /// What the user says to a session's agent outside a converse (or as its answer).
    public func prompt(_ id: String, text: String) async throws(SessionError) -> (Prompt, Prompt.State) {
        let valid = try Prompt.validated(text)
        guard let session = sessions[id] else { throw .notFound(id) }
        return try await session.prompt(valid)
    }

    /// The agent's terminal as it shows now (tmux's capture, the PTY's screen), one string per
    /// row; empty while the agent is being started.
    public func screen(_ id: String) async throws(SessionError) -> [String] {
        guard let session = sessions[id] else { throw .notFound(id) }
        return await session.screenLines()
    }
}
