import Foundation
import Logging
import PluginAPI

/// One agent session: owns its converse state machine and lifecycle, executes their actions
/// (speech engines, browser messages, bridge replies), and ends its agent when it ends.
actor Session {
    nonisolated let id: String
    nonisolated let workspace: SessionWorkspace
    /// The bridge must present this on `/mcp/{id}`.
    nonisolated let secret: String
    nonisolated let createdAt: Date
    /// Taken over from an earlier run of the hub: its agent is already past start-up.
    nonisolated let adopted: Bool
    nonisolated let spawnerName: String
    nonisolated let profile: AgentProfile
    /// The user's project folder the agent works in; nil: the session's own scratch folder.
    nonisolated let projectDirectory: String?

    private(set) var label: String
    private(set) var voice: String
    private(set) var speed: Double = 1.0
    private(set) var lastActivity = Date()
    private var lifecycle = SessionLifecycle()
    private var converse = ConverseMachine()
    private var agent: (any SpawnedAgent)?
    private var bridge: BridgeLink?
    /// A reply whose bridge had gone; handed over when the bridge reconnects and asks again.
    private var undeliveredReply: (text: String, requestID: String)?
    private var readiness: Readiness?
    private var readinessWaiters: [CheckedContinuation<Readiness, Never>] = []
    private var terminalWatcher: Task<Void, Never>?
    private var dialogWatch: DialogWatch?
    /// Why the session needs the user (a terminal dialog), while it does.
    private var attention: SessionSnapshot.Attention?
    private var startupInputTyped = false
    private var engineTasks: [UInt64: Task<Void, Never>] = [:]
    /// The current converse turn's name in browser events (random: unique across restarts).
    private var turnTag: String?
    /// Set first thing in `end`: from then on nothing new starts.
    private var ending = false
    private let services: SessionServices
    private let logger: Logger
    /// nil when the state dir cannot be written (logged once; the conversation goes on).
    private let transcript: TranscriptLog?
    /// The request id of the agent's last transcript line.
    private var lastWrittenRequestID: String?

    init(
        id: String, label: String, voice: String, speed: Double = 1.0, workspace: SessionWorkspace, secret: String,
        spawnerName: String, profile: AgentProfile, projectDirectory: String?, createdAt: Date = Date(), adopted: Bool = false,
        services: SessionServices
    ) {
        self.id = id
        self.profile = profile
        self.projectDirectory = projectDirectory
        self.label = label
        self.voice = voice
        self.speed = speed
        self.spawnerName = spawnerName
        self.createdAt = createdAt
        self.adopted = adopted
        self.workspace = workspace
        self.secret = secret
        self.services = services
        var logger = services.logger
        logger[metadataKey: "session"] = "\(id)"
        self.logger = logger
        if adopted {
            lastWrittenRequestID = TranscriptLog.lastAgentRequestID(directory: services.transcriptDirectory, sessionID: id)
        }
        do {
            self.transcript = try TranscriptLog(directory: services.transcriptDirectory, sessionID: id)
        } catch {
            logger.error("cannot keep this session's transcript", metadata: ["error": "\(error)"])
            self.transcript = nil
        }
        workspace.save(.init(
            id: id, label: label, voice: voice, speed: speed, spawner: spawnerName, secret: secret, createdAt: createdAt,
            agent: profile.id, projectDirectory: projectDirectory))
    }

    private var record: SessionWorkspace.Record {
        .init(id: id, label: label, voice: voice, speed: speed, spawner: spawnerName, secret: secret, createdAt: createdAt,
              agent: profile.id, projectDirectory: projectDirectory)
    }

    var status: SessionStatus { lifecycle.status }

    func snapshot() -> SessionSnapshot {
        SessionSnapshot(
            id: id, status: lifecycle.status, label: label, voice: voice, speed: speed,
            createdAt: createdAt, lastActivity: lastActivity, bridgeConnected: bridge != nil,
            terminal: agent?.debugDescription ?? "", workDirectory: workspace.directory,
            agent: profile.id, agentLabel: profile.label, projectDirectory: projectDirectory, attention: attention)
    }

    /// Idle means nobody is mid-conversation: a converse waiting for the user keeps the session alive.
    func isIdle(now: Date, timeout: Duration) -> Bool {
        converse.isIdle && now.timeIntervalSince(lastActivity) > Double(timeout.components.seconds)
    }

    /// Since when the converse has waited for a browser while none was connected.
    private var unattendedSince: Date?

    /// Called periodically with the number of connected browsers: a converse that waits for a
    /// browser while none has been there for `timeout` is answered "(nobody is listening …)".
    func checkListeners(browsers: Int, now: Date, timeout: Duration) async {
        guard converse.needsBrowser, browsers == 0 else {
            unattendedSince = nil
            return
        }
        let since = unattendedSince ?? now
        unattendedSince = since
        guard now.timeIntervalSince(since) >= timeout.seconds else { return }
        unattendedSince = nil
        logger.warning("no browser for the waiting converse; answering the agent", metadata: ["after": "\(timeout)"])
        await perform(converse.handle(.nobodyListening(for: timeout)))
    }

    /// An agent that is still being spawned counts as alive.
    func agentIsAlive() async -> Bool {
        guard let agent else { return true }
        return await agent.isAlive()
    }

    // MARK: Start-up

    /// Takes over the spawned agent. Returns false (and ends the agent) when the session ended
    /// while the agent was being spawned, so nothing outlives it.
    func started(_ agent: any SpawnedAgent) async -> Bool {
        guard !ending else {
            await agent.terminate()
            return false
        }
        self.agent = agent
        // The agent may already be ready (a fast agent, a slow hub): then there is no dialog to
        // answer, but the startup input is still due. An adopted agent is past both, but one
        // that dies before its bridge is back is noticed all the same.
        if lifecycle.status == .starting {
            if !adopted { dialogWatch = DialogWatch(dialogs: profile.dialogs) }
            terminalWatcher = Task { await self.watchTerminal(agent) }
        } else if readiness == .ready {
            Task { await self.typeStartupInput() }
        }
        return true
    }

    /// Until the agent is ready: reads its screen, answers its dialogs, asks the user about the
    /// others; notices an agent that exits first.
    private func watchTerminal(_ agent: any SpawnedAgent) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await screen in agent.screens() { await self.screenChanged(screen) }
            }
            group.addTask {
                // Settling and answering again are decided on the clock, not only on new screens.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    await self.dialogTick()
                }
            }
            await group.next()
            group.cancelAll()
        }
        if !Task.isCancelled, readiness == nil, !(await agent.isAlive()) {
            resolveReadiness(.agentExited)
        }
    }

    private func screenChanged(_ screen: String) async {
        await performDialog(dialogWatch?.handle(.screen(screen, at: .now)) ?? [])
    }

    private func dialogTick() async {
        await performDialog(dialogWatch?.handle(.tick(at: .now)) ?? [])
    }

    private func performDialog(_ actions: [DialogWatch.Action]) async {
        for action in actions {
            switch action {
            case .press(let keys, let dialog):
                logger.info("answering terminal dialog", metadata: ["dialog": "\(dialog)", "keys": "\(keys)"])
                do {
                    try await agent?.send(keys)
                } catch {
                    logger.warning("could not answer terminal dialog", metadata: ["error": "\(error)"])
                }
            case .needsYou(let reason, let screen):
                logger.warning("the agent needs the user", metadata: ["reason": "\(reason)"])
                attention = .init(reason: reason, screen: screen)
                _ = lifecycle.handle(.needsUser)
                await announce(update: true)
            case .resolved:
                logger.info("the dialog that needed the user is gone")
                attention = nil
                _ = lifecycle.handle(.userAnswered)
                await announce(update: true)
            }
        }
    }

    /// Keys the user sent from the page (a dialog the hub did not answer).
    func sendKeys(_ keys: [TerminalKey]) async throws(SessionError) {
        guard let agent else { throw .unavailable("the agent has not started yet") }
        touch()
        do {
            try await agent.send(keys)
        } catch {
            throw .unavailable("could not send the keys: \(error)")
        }
    }

    /// The agent's last screen lines, for errors about an agent that exited or stalled, with
    /// what to do when they show a known reason.
    func terminalTail(lines: Int = 12) async -> String? {
        let screen = await agent?.lastScreen()
        guard let tail = screen.map({ DialogWatch.lastLines(of: $0, count: lines) }) ?? workspace.terminalTail(),
              !tail.isEmpty else { return nil }
        return AgentTroubleHints.hint(for: tail).map { tail + "\n→ " + $0 } ?? tail
    }

    func waitUntilReady() async -> Readiness {
        if let readiness { return readiness }
        return await withCheckedContinuation { readinessWaiters.append($0) }
    }

    func resolveReadiness(_ result: Readiness) {
        guard readiness == nil else { return }
        readiness = result
        for waiter in readinessWaiters { waiter.resume(returning: result) }
        readinessWaiters.removeAll()
    }

    // MARK: Bridge

    /// `reportsHandshake`: the bridge will say when the agent has finished its MCP handshake
    /// (`agent_ready`); only then is the session ready. An original bridge is ready on connect.
    func attachBridge(_ link: BridgeLink, reportsHandshake: Bool) async {
        guard !ending else { return link.close() }
        if let old = bridge, old.id != link.id { old.close() }
        bridge = link
        touch()
        logger.info("MCP bridge connected", metadata: ["reports_handshake": "\(reportsHandshake)"])
        if reportsHandshake {
            await announce(update: true)
        } else if !(await agentReady()) {
            await announce()
        }
    }

    /// The agent can call `converse` now: the session is ready and gets its startup input.
    @discardableResult
    private func agentReady() async -> Bool {
        guard lifecycle.handle(.bridgeConnected) != nil else { return false }
        logger.info("the agent finished its MCP handshake")
        attention = nil
        dialogWatch = nil
        terminalWatcher?.cancel()
        await announce()
        resolveReadiness(.ready)
        // Off the caller: the bridge's next message must not wait for the typing's pause.
        Task { await self.typeStartupInput() }
        return true
    }

    /// Once per session, when both the agent is ready and known (either may come first). An
    /// adopted agent got it from the hub that started it. The text goes as one (bracketed) paste
    /// and the Enter separately, after a pause: Codex and Claude Code take an Enter that comes
    /// with fast typing as a newline of a paste (under load a pause alone is not enough: both
    /// may reach the agent in one read).
    private func typeStartupInput() async {
        guard !adopted, !startupInputTyped, let input = profile.startupInput, let agent else { return }
        startupInputTyped = true
        do {
            try await agent.send([.paste(input)])
            try await Task.sleep(for: .milliseconds(300))
            try await agent.send([.enter])
        } catch {
            logger.warning("could not type the startup input", metadata: ["error": "\(error)"])
        }
    }

    func detachBridge(_ link: BridgeLink) async {
        guard bridge?.id == link.id else { return }
        bridge = nil
        logger.info("MCP bridge disconnected")
        await announce(update: true)
    }

    func handleBridge(_ request: BridgeRequest, from link: BridgeLink) async {
        touch()
        switch request {
        case .agentReady:
            guard bridge?.id == link.id else { return }
            await agentReady()
        case .statusCheck:
            link.send(.statusResult(connected: await services.browsers.count > 0))
        case .converse(let message, let wait, let requestID):
            // An agent that converses has finished its handshake, whatever was heard before;
            // it needs no startup input any more.
            if lifecycle.status == .starting || lifecycle.status == .needsYou {
                startupInputTyped = true
                await agentReady()
            }
            guard !ending else {
                link.send(.converseResult(text: "Error: the session is ending.", requestID: requestID))
                return
            }
            if let requestID, let pending = undeliveredReply, pending.requestID == requestID {
                undeliveredReply = nil
                link.send(.converseResult(text: pending.text, requestID: requestID))
                return
            }
            if let requestID, converse.currentRequestID == requestID {
                logger.info("bridge re-attached to the converse in flight")
                return
            }
            guard message.count <= services.limits.maxSpeechCharacters else {
                link.send(.converseResult(
                    text: "Error: the message is \(message.count) characters long; the limit is \(services.limits.maxSpeechCharacters).",
                    requestID: requestID))
                return
            }
            await perform(converse.handle(.converse(message: message, waitForResponse: wait, requestID: requestID)))
        }
    }

    // MARK: Browsers

    func playbackDone(turn: String? = nil) async {
        touch()
        guard isCurrent(turn, "playback_done") else { return }
        await perform(converse.handle(.playbackDone))
    }

    func interrupt(turn: String? = nil) async {
        touch()
        guard isCurrent(turn, "interrupt") else { return }
        logger.info("the user interrupted the agent")
        await perform(converse.handle(.interrupted))
    }

    /// A browser message that names its turn is for that turn only: a late one for an earlier
    /// turn (one that a newer converse took over, say) is dropped.
    private func isCurrent(_ turn: String?, _ what: String) -> Bool {
        guard let turn, turn != turnTag else { return true }
        logger.info("dropped a browser message for an earlier turn", metadata: ["message": "\(what)", "turn": "\(turn)"])
        return false
    }

    func recording(_ audio: Data, format: AudioFormat, turn: String? = nil) async {
        touch()
        guard isCurrent(turn, "recording") else { return }
        logger.debug("recording from browser", metadata: ["bytes": "\(audio.count)", "format": "\(format)"])
        await perform(converse.handle(.recording(audio: audio, format: format)))
    }

    /// The hub refused this browser's recording: it is asked to record again.
    func recordingRefused(by client: BrowserHub.ClientID) async {
        await perform(converse.handle(.recordingRefused), onlyTo: client)
    }

    /// A browser just connected: tell it (only it) what this session is waiting for.
    /// `streamedOnly`: after a hello that announced `audio_stream`, only a turn still being
    /// spoken is replayed (its chunks were held back at connect); the rest the tab already has.
    func replayPending(to client: BrowserHub.ClientID, streamedOnly: Bool = false) async {
        if streamedOnly {
            guard case .speaking = converse.phase else { return }
        }
        await perform(converse.handle(.browserConnected), onlyTo: client)
    }

    /// A label that was the old voice's name becomes the new one's; a label the user chose stays.
    func setVoice(_ route: VoiceRoute, replacingLabel oldVoiceLabel: String?) async {
        if label == oldVoiceLabel { label = route.label }
        voice = route.id
        touch()
        workspace.save(record)
        await announce()
    }

    func setSpeed(_ speed: Double) async {
        self.speed = speed
        touch()
        workspace.save(record)
        await announce()
    }

    // MARK: End

    /// Ends the session: answers a waiting converse, closes the bridge, ends the agent, removes the dir.
    func end(reason: String) async {
        ending = true
        terminalWatcher?.cancel()
        for task in engineTasks.values { task.cancel() }
        engineTasks.removeAll()
        await perform(converse.handle(.cancelled(reason: reason)))
        resolveReadiness(.terminated)
        if lifecycle.handle(.ended) != nil { await announce() }
        bridge?.close()
        bridge = nil
        await agent?.terminate()
        workspace.remove()
        transcript?.close()
    }

    // MARK: Actions

    private func perform(_ actions: [ConverseMachine.Action], onlyTo client: BrowserHub.ClientID? = nil) async {
        for action in actions {
            switch action {
            case .send(let event):
                // On disk before anyone (the browser, then the agent) is told.
                if client == nil { record(event) }
                if let client {
                    await services.browsers.send(.session(id: id, event, turn: turnTag), to: client)
                } else {
                    await services.browsers.broadcast(.session(id: id, event, turn: turnTag))
                }
            case .synthesize(let turn, let text):
                synthesize(turn: turn, text: text)
            case .stopSpeech(let turn):
                engineTasks.removeValue(forKey: turn)?.cancel()
            case .transcribe(let turn, let audio, let format):
                transcribe(turn: turn, audio: audio, format: format)
            case .reply(let text, let requestID):
                reply(text, requestID: requestID)
            case .converseStarted:
                turnTag = RandomToken.hex(bytes: 4)
                if lifecycle.handle(.converseStarted) != nil { await announce(update: true) }
            case .converseEnded:
                touch()
                if lifecycle.handle(.converseEnded) != nil { await announce(update: true) }
            case .ignored(let reason):
                logger.info("ignored browser message", metadata: ["reason": "\(reason)"])
            }
        }
    }

    private func record(_ event: SessionEvent) {
        let written: Bool
        switch event {
        case .assistantText(let text):
            // A converse re-sent after a hub restart (same request id) is already written.
            let requestID = converse.currentRequestID
            if let requestID, requestID == lastWrittenRequestID { return }
            lastWrittenRequestID = requestID
            written = transcript?.append(.assistant, text, requestID: requestID) ?? false
        case .userText(let text): written = transcript?.append(.user, text) ?? false
        default: return
        }
        if !written && transcript != nil { logger.error("could not write the transcript line") }
    }

    private func reply(_ text: String, requestID: String?) {
        logger.debug("converse result", metadata: ["chars": "\(text.count)"])
        if let bridge, bridge.send(.converseResult(text: text, requestID: requestID)) { return }
        if let requestID {
            undeliveredReply = (text, requestID)
        } else {
            logger.warning("converse result lost: the bridge is gone and sent no request id")
        }
    }

    private func synthesize(turn: UInt64, text: String) {
        guard let route = services.router.route(voice) else {
            let reason = "voice '\(voice)' is not in the config"
            engineTasks[turn] = Task { await self.engineFinished(turn, .speechFailed(turn: turn, reason: reason)) }
            return
        }
        let pieces = services.router.speak(SpokenText.from(text), voice: route, speed: speed)
        let logger = self.logger
        engineTasks[turn] = Task {
            let started = ContinuousClock.now
            var joiner = AudioJoiner()
            var seq = 0
            var segment = -1
            var streamFormat: AudioFormat?
            let event: ConverseMachine.Event
            do {
                for try await piece in pieces {
                    switch piece {
                    case .audio(let audio, let format, let pieceSegment):
                        if pieceSegment != segment {
                            joiner.startSegment()
                            segment = pieceSegment
                        }
                        if seq == 0 { logger.debug("first audio", metadata: ["after": "\(ContinuousClock.now - started)"]) }
                        joiner.append(audio, format: format)
                        streamFormat = format
                        await self.speechChunk(turn, seq: seq, audio: audio, format: format)
                        seq += 1
                    case .segmentRestarted:
                        joiner.restartSegment()
                    }
                }
                if joiner.isMixed {
                    logger.notice("engines with different encodings spoke one message; joining it as PCM")
                }
                let joined = try await joiner.finish()
                logger.debug("speech ready", metadata: ["bytes": "\(joined?.audio.count ?? 0)", "took": "\(ContinuousClock.now - started)"])
                event = .speechReady(
                    turn: turn, audio: joined?.audio ?? Data(), format: joined?.format ?? .wav, chunks: seq, streamFormat: streamFormat)
            } catch is CancellationError {
                return
            } catch {
                logger.error("TTS failed", metadata: ["voice": "\(route.id)", "error": "\(error)"])
                event = .speechFailed(turn: turn, reason: "\(error)")
            }
            await self.engineFinished(turn, event)
        }
    }

    private func speechChunk(_ turn: UInt64, seq: Int, audio: Data, format: AudioFormat) async {
        guard !ending else { return }
        await perform(converse.handle(.speechChunk(turn: turn, seq: seq, audio: audio, format: format)))
    }

    private func transcribe(turn: UInt64, audio: Data, format: AudioFormat) {
        let router = services.router
        let route = router.route(voice)
        let logger = self.logger
        let workspace = self.workspace
        engineTasks[turn] = Task {
            let event: ConverseMachine.Event
            do {
                event = .transcribed(turn: turn, text: try await router.transcribe(audio, format: format, voice: route))
            } catch is CancellationError {
                return
            } catch {
                let kept = workspace.keepRecording(audio, format: format)
                logger.error("STT failed", metadata: ["error": "\(error)", "kept": "\(kept ?? "(could not save)")"])
                event = .transcriptionFailed(turn: turn, reason: "\(error)" + (kept.map { "; the recording is kept at \($0)" } ?? ""))
            }
            await self.engineFinished(turn, event)
        }
    }

    private func engineFinished(_ turn: UInt64, _ event: ConverseMachine.Event) async {
        engineTasks[turn] = nil
        guard !Task.isCancelled else { return }
        await perform(converse.handle(event))
    }

    private func touch() {
        lastActivity = Date()
    }

    /// `update`: a change the original hub does not announce, for browsers that said hello.
    private func announce(update: Bool = false) async {
        await services.browsers.broadcast(update ? .sessionUpdate(snapshot()) : .sessionStatus(snapshot()))
    }
}
