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

    init(
        id: String, label: String, voice: String, speed: Double = 1.0, workspace: SessionWorkspace, secret: String,
        spawnerName: String, createdAt: Date = Date(), adopted: Bool = false, services: SessionServices
    ) {
        self.id = id
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
        do {
            self.transcript = try TranscriptLog(directory: services.transcriptDirectory, sessionID: id)
        } catch {
            logger.error("cannot keep this session's transcript", metadata: ["error": "\(error)"])
            self.transcript = nil
        }
        workspace.save(.init(id: id, label: label, voice: voice, speed: speed, spawner: spawnerName, secret: secret, createdAt: createdAt))
    }

    private var record: SessionWorkspace.Record {
        .init(id: id, label: label, voice: voice, speed: speed, spawner: spawnerName, secret: secret, createdAt: createdAt)
    }

    var status: SessionStatus { lifecycle.status }

    func snapshot() -> SessionSnapshot {
        SessionSnapshot(
            id: id, status: lifecycle.status, label: label, voice: voice, speed: speed,
            createdAt: createdAt, lastActivity: lastActivity, bridgeConnected: bridge != nil,
            terminal: agent?.debugDescription ?? "", workDirectory: workspace.directory)
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
        // The bridge may already have connected (a fast agent, a slow hub): then there is no
        // prompt to answer, but the startup input is still due. An adopted agent is past both,
        // but one that dies before its bridge is back is noticed all the same.
        if lifecycle.status == .starting {
            let prompts = adopted ? [] : services.settings.prompts
            terminalWatcher = Task { await self.watchTerminal(agent, prompts: prompts) }
        } else if readiness == .ready {
            await typeStartupInput()
        }
        return true
    }

    /// Answers `prompts` while the agent boots; notices an agent that exits before its bridge connects.
    private func watchTerminal(_ agent: any SpawnedAgent, prompts: [PromptAnswer]) async {
        var responder = PromptResponder(prompts: prompts)
        for await output in agent.terminalOutput() {
            for prompt in responder.feed(output) {
                logger.info("answering terminal prompt", metadata: ["prompt": "\(prompt.match)"])
                do {
                    try await agent.type(prompt.answer, pressEnter: prompt.pressEnter)
                } catch {
                    logger.warning("could not answer terminal prompt", metadata: ["error": "\(error)"])
                }
            }
        }
        if !Task.isCancelled, lifecycle.status == .starting, !(await agent.isAlive()) {
            resolveReadiness(.agentExited)
        }
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

    func attachBridge(_ link: BridgeLink) async {
        guard !ending else { return link.close() }
        if let old = bridge, old.id != link.id { old.close() }
        bridge = link
        touch()
        let becameReady = lifecycle.handle(.bridgeConnected) != nil
        logger.info("MCP bridge connected", metadata: ["first": "\(becameReady)"])
        await announce()
        guard becameReady else { return }
        resolveReadiness(.ready)
        terminalWatcher?.cancel()
        await typeStartupInput()
    }

    /// Once per session, when both the bridge has connected and the agent is known (either may
    /// come first). An adopted agent got it from the hub that started it.
    private func typeStartupInput() async {
        guard !adopted, !startupInputTyped, let input = services.settings.startupInput, let agent else { return }
        startupInputTyped = true
        do {
            try await agent.type(input, pressEnter: true)
        } catch {
            logger.warning("could not type the startup input", metadata: ["error": "\(error)"])
        }
    }

    func detachBridge(_ link: BridgeLink) async {
        guard bridge?.id == link.id else { return }
        bridge = nil
        logger.info("MCP bridge disconnected")
        await announce()
    }

    func handleBridge(_ request: BridgeRequest, from link: BridgeLink) async {
        touch()
        switch request {
        case .statusCheck:
            link.send(.statusResult(connected: await services.browsers.count > 0))
        case .converse(let message, let wait, let requestID):
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

    func playbackDone() async {
        touch()
        await perform(converse.handle(.playbackDone))
    }

    func interrupt() async {
        touch()
        logger.info("the user interrupted the agent")
        await perform(converse.handle(.interrupted))
    }

    func recording(_ audio: Data, format: AudioFormat) async {
        touch()
        logger.debug("recording from browser", metadata: ["bytes": "\(audio.count)", "format": "\(format)"])
        await perform(converse.handle(.recording(audio: audio, format: format)))
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
                if lifecycle.handle(.converseStarted) != nil { await announce() }
            case .converseEnded:
                touch()
                if lifecycle.handle(.converseEnded) != nil { await announce() }
            case .ignored(let reason):
                logger.info("ignored browser message", metadata: ["reason": "\(reason)"])
            }
        }
    }

    private func record(_ event: SessionEvent) {
        let written: Bool
        switch event {
        case .assistantText(let text): written = transcript?.append(.assistant, text) ?? false
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

    private func announce() async {
        await services.browsers.broadcast(.sessionStatus(snapshot()))
    }
}
