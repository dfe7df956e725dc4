import Foundation
import Logging
import PluginAPI
import BridgeProtocol

/// Every decision one session makes, as a plain state machine: events in (the agent, its
/// bridge, browsers, engines, clocks), actions out. `Session` executes the actions and feeds
/// back what came of them; nothing here does I/O or reads a clock, so each race the end-to-end
/// tests found is replayed in `SessionMachineTests` without sockets or processes.
///
/// It owns the converse flow (`ConverseMachine`), the lifecycle (`SessionLifecycle`), the
/// terminal dialogs while the agent starts (`DialogWatch`), the bridge (which link is current,
/// re-attaching to the call in flight, replies kept for a bridge that comes back), readiness,
/// the startup input, the nobody-listening and idle clocks, the turn's audio assembly, the
/// transcript's de-duplication, the agent's activity, its permission requests (`PermissionDesk`),
/// the user's prompts (`PromptQueue`) and the replies read out. Its vocabulary (configuration,
/// events, actions) is in `SessionMachine+Vocabulary.swift`.
struct SessionMachine: Sendable {
    let configuration: Configuration
    private(set) var label: String
    private(set) var voice: String
    private(set) var speed: Double
    private(set) var lastActivity: Date
    private var lifecycle = SessionLifecycle()
    private var converse = ConverseMachine()
    private var dialogWatch: DialogWatch?
    /// Why the session needs the user (a terminal dialog), while it does.
    private(set) var attention: SessionSnapshot.Attention?
    private(set) var bridge: BridgeID?
    /// A reply whose bridge had gone; handed over when the bridge reconnects and asks again.
    private var undeliveredReply: (text: String, requestID: String)?
    private(set) var readiness: Readiness?
    private var agentKnown = false
    private var startupInputTyped: Bool
    /// This hub typed the startup input: the agent works on it until it reports otherwise.
    private var startupInputSent = false
    /// Set first thing by `end`: from then on nothing new starts.
    private(set) var ending = false
    private var turnCount = 0
    /// The current converse turn's name in browser events.
    private(set) var turnTag: String?
    /// The audio of the turn being spoken, as the engines make it.
    private var speech: (turn: UInt64, joiner: AudioJoiner)?
    private var lastWrittenRequestID: String?
    /// Since when a converse has waited for a browser while none was connected.
    private var unattendedSince: Date?
    /// What the agent's own reports say it does (nil: it has said nothing).
    private var reported: (state: SessionActivity.State, tool: String?, detail: String?)?
    private(set) var activity: SessionActivity
    /// The agent's last words at the end of a turn (a hook's `last_assistant_message`).
    private(set) var lastAgentMessage: String?
    private(set) var permissions = PermissionDesk()
    private var prompts = PromptQueue()
    private var promptCount = 0
    private var promptRecordings: UInt64 = 0
    /// The end word of each recording being transcribed (answer, prompts).
    private var answerEndWord: String?
    private var promptEndWords: [UInt64: String] = [:]
    /// The agent conversed in the turn under way: its reply at the end is not read out again.
    private var turnConversed = false
    /// A reply to be read out when the session says nothing else.
    private var replyDue: String?

    init(configuration: Configuration, label: String, voice: String, speed: Double, now: Date) {
        self.configuration = configuration
        self.label = label
        self.voice = voice
        self.speed = speed
        lastActivity = now
        activity = SessionActivity(state: .starting, since: now)
        startupInputTyped = configuration.adopted || configuration.startupInput == nil
        lastWrittenRequestID = configuration.lastWrittenRequestID
        for (index, text) in configuration.heldPrompts.enumerated() {
            prompts.add(Prompt(id: configuration.turnTagPrefix + "-h" + String(index + 1, radix: 16), text: text, at: now))
        }
    }

    var status: SessionStatus { lifecycle.status }

    var shown: Shown {
        Shown(status: status, label: label, voice: voice, speed: speed, lastActivity: lastActivity,
              bridgeConnected: bridge != nil, attention: attention, activity: shownActivity, permissions: permissions.pending,
              queuedPrompts: prompts.waiting)
    }

    /// The activity as of this step (`activity` itself is brought up to date after the event).
    private var shownActivity: SessionActivity {
        let derived = derivedActivity()
        let current = SessionActivity(state: derived.state, tool: derived.tool, detail: derived.detail, since: lastActivity)
        return current.means(activity) ? activity : current
    }

    /// An announcement of the session as it is now (later actions of the same event may change it).
    private func announce(update: Bool) -> Action {
        .announce(shown, update: update)
    }
    var converseRequestID: String? { converse.currentRequestID }
    /// What the session record keeps: the prompts not yet delivered.
    var heldPromptTexts: [String] { prompts.waiting.map(\.text) }

    mutating func handle(_ event: Event, now: Date) -> [Action] {
        var actions = decide(event, now: now)
        actions += askPermissionIfFree(now: now)
        actions += speakReplyIfFree(now: now)
        actions += deliverPromptsIfIdle()
        let derived = derivedActivity()
        let next = SessionActivity(state: derived.state, tool: derived.tool, detail: derived.detail, since: now)
        if !next.means(activity) {
            activity = next
            actions.append(.announceActivity(next))
        }
        return actions
    }

    private mutating func decide(_ event: Event, now: Date) -> [Action] {
        switch event {
        case .agentSpawned:
            return agentSpawned()
        case .screen(let screen, let at):
            return dialog(.screen(screen, at: at))
        case .dialogTick(let at):
            return dialog(.tick(at: at))
        case .terminalClosed(let alive):
            return readiness == nil && !alive ? resolve(.agentExited) : []
        case .readyTimerFired:
            // The user is answering a dialog in the page or the terminal: theirs to finish.
            return status == .needsYou ? [] : resolve(.timedOut)

        case .bridgeAttached(let id, let reportsHandshake):
            return bridgeAttached(id, reportsHandshake: reportsHandshake, now: now)
        case .bridgeDetached(let id):
            guard bridge == id else { return [] }
            bridge = nil
            return [.log(.info, "MCP bridge disconnected"), announce(update: true)]
        case .bridge(let request, let from):
            lastActivity = now
            return bridgeRequest(request, from: from, now: now)
        case .replyUndelivered(let text, let requestID):
            guard let requestID else { return [.log(.warning, "converse result lost: the bridge is gone and sent no request id")] }
            undeliveredReply = (text, requestID)
            return []

        case .playbackDone(let turn):
            lastActivity = now
            return isCurrent(turn, "playback_done") ?? converse(.playbackDone, now: now)
        case .interrupted(let turn):
            lastActivity = now
            return isCurrent(turn, "interrupt") ?? ([.log(.info, "the user interrupted the agent")] + converse(.interrupted, now: now))
        case .recording(let audio, let format, let turn, let endWord):
            lastActivity = now
            answerEndWord = endWord
            return isCurrent(turn, "recording") ?? converse(.recording(audio: audio, format: format), now: now)
        case .recordingRefused(let client):
            return converse(.recordingRefused, now: now, onlyTo: client)
        case .browserConnected(let client, let streamedOnly):
            // A streaming tab already has everything but the chunks of a turn still being spoken.
            if streamedOnly, !converse.isSpeaking { return [] }
            return converse(.browserConnected, now: now, onlyTo: client)
        case .voiceChosen(let id, let newLabel, let previousVoiceLabel):
            // A label that was the old voice's name becomes the new one's; one the user chose stays.
            if label == previousVoiceLabel { label = newLabel }
            voice = id
            lastActivity = now
            return [.saveRecord, announce(update: false)]
        case .speedChosen(let newSpeed):
            speed = newSpeed
            lastActivity = now
            return [.saveRecord, announce(update: false)]
        case .keysFromUser:
            lastActivity = now
            return []

        case .speechPiece(let turn, let piece):
            return speechPiece(piece, turn: turn, now: now)
        case .speechEnded(let turn):
            guard let speech, speech.turn == turn else { return [] }
            return [.joinSpeech(turn: turn, speech.joiner)]
        case .speechJoined(let turn, let audio, let format):
            guard let speech, speech.turn == turn else { return [] }
            self.speech = nil
            return converse(.speechReady(
                turn: turn, audio: audio, format: format, chunks: speech.joiner.chunks, streamFormat: speech.joiner.lastFormat), now: now)
        case .speechFailed(let turn, let reason):
            speech = nil
            return converse(.speechFailed(turn: turn, reason: reason), now: now)
        case .transcribed(let turn, let text):
            return converse(.transcribed(turn: turn, text: EndWord.strip(text, word: answerEndWord)), now: now)
        case .transcriptionFailed(let turn, let reason):
            return converse(.transcriptionFailed(turn: turn, reason: reason), now: now)

        case .agentReported(let report):
            lastActivity = now
            return agentReported(report, now: now)
        case .permissionAsked(let request, let input):
            guard !ending else { return [.settlePermission(request, .sessionEnded)] }
            lastActivity = now
            permissions.add(request, input: input)
            return [.log(.info, "the agent asks permission: \(request.tool) \(request.detail ?? "")"),
                    .announcePermission(request, timeout: configuration.permissionTimeout), announce(update: true)]
        case .permissionDecided(let id, let decision, let by):
            lastActivity = now
            return settlePermission(id, .decided(decision, by: by), now: now)
        case .permissionTimedOut(let id):
            return settlePermission(id, .timedOut(after: configuration.permissionTimeout), now: now)
        case .prompt(let text):
            lastActivity = now
            return prompt(text, now: now)
        case .promptRecording(let audio, let format, let endWord):
            lastActivity = now
            return promptRecording(audio, format: format, endWord: endWord, now: now)
        case .promptHeard(let recording, let heard):
            let text = EndWord.strip(heard, word: promptEndWords.removeValue(forKey: recording))
            // Whisper turns near-silence into ". ." or "...": no prompt.
            guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
                return [.announceError("No speech was heard in the recording; nothing was sent to the agent.")]
            }
            return [.routePrompt(text)]
        case .promptNotHeard(let recording, let reason):
            promptEndWords[recording] = nil
            return [.log(.warning, "a recorded prompt could not be transcribed: \(reason)"),
                    .announceError("The recording could not be transcribed (\(reason)); nothing was sent to the agent.")]
        case .healthCheck(let browsers):
            return healthCheck(browsers: browsers, now: now)
        case .agentAlive(let alive):
            guard !ending, status != .starting, status != .needsYou else { return [] }
            if !alive { return [.remove(reason: "the agent exited")] }
            return isIdle(now: now) ? [.remove(reason: "idle for \(configuration.idleTimeout)")] : []
        case .end(let reason):
            return end(reason: reason, now: now)
        }
    }

    /// Idle means nobody is mid-conversation: a converse waiting for the user keeps the session alive.
    func isIdle(now: Date) -> Bool {
        converse.isIdle && now.timeIntervalSince(lastActivity) > configuration.idleTimeout.seconds
    }

    // MARK: Start-up

    private mutating func agentSpawned() -> [Action] {
        guard !ending else { return [.terminateAgent] }
        agentKnown = true
        // The agent may already be ready (a fast agent, a slow hub): then there is no dialog to
        // answer, but the startup input is still due. An adopted agent is past both, but one
        // that dies before its bridge is back is noticed all the same.
        if status == .starting {
            if !configuration.adopted {
                dialogWatch = DialogWatch(dialogs: configuration.dialogs, timing: configuration.dialogTiming)
            }
            return [.watchTerminal]
        }
        return startupInputIfDue()
    }

    private mutating func dialog(_ event: DialogWatch.Event) -> [Action] {
        guard var watch = dialogWatch else { return [] }
        let decided = watch.handle(event)
        dialogWatch = watch
        var actions: [Action] = []
        for action in decided {
            switch action {
            case .press(let keys, let dialog):
                actions += [.log(.info, "answering terminal dialog '\(dialog)' with \(keys)"), .pressKeys(keys)]
            case .needsYou(let reason, let screen):
                attention = .init(reason: reason, screen: screen)
                _ = lifecycle.handle(.needsUser)
                actions += [.log(.warning, "the agent needs the user: \(reason)"), announce(update: true)]
            case .resolved:
                attention = nil
                _ = lifecycle.handle(.userAnswered)
                actions += [.log(.info, "the dialog that needed the user is gone"), announce(update: true)]
            }
        }
        return actions
    }

    private mutating func resolve(_ result: Readiness) -> [Action] {
        guard readiness == nil else { return [] }
        readiness = result
        return [.resolveReadiness(result)]
    }

    /// The agent can call `converse` now: the session is ready and gets its startup input.
    private mutating func agentReady() -> [Action] {
        guard lifecycle.handle(.bridgeConnected) != nil else { return [] }
        attention = nil
        dialogWatch = nil
        return [.log(.info, "the agent finished its MCP handshake"), .stopTerminalWatch, announce(update: false)]
            + resolve(.ready) + startupInputIfDue()
    }

    /// Once per session, when the agent is both ready and known (either may come first). An
    /// adopted agent got it from the hub that started it.
    private mutating func startupInputIfDue() -> [Action] {
        guard !startupInputTyped, agentKnown, readiness == .ready, let input = configuration.startupInput else { return [] }
        startupInputTyped = true
        startupInputSent = true
        return [.typeStartupInput(input)]
    }

    // MARK: Bridge

    private mutating func bridgeAttached(_ id: BridgeID, reportsHandshake: Bool, now: Date) -> [Action] {
        guard !ending else { return [.closeBridge(id)] }
        var actions: [Action] = []
        if let old = bridge, old != id { actions.append(.closeBridge(old)) }
        bridge = id
        lastActivity = now
        actions.append(.log(.info, "MCP bridge connected (reports its handshake: \(reportsHandshake))"))
        // Our bridge says when the agent has finished its MCP handshake (`agent_ready`); only
        // then is the session ready. An original bridge is ready on connect.
        if reportsHandshake { return actions + [announce(update: true)] }
        let ready = agentReady()
        return actions + (ready.isEmpty ? [announce(update: false)] : ready)
    }

    private mutating func bridgeRequest(_ request: BridgeRequest, from link: BridgeID, now: Date) -> [Action] {
        switch request {
        case .agentReady:
            return bridge == link ? agentReady() : []
        case .statusCheck:
            return [.answerStatusCheck(to: link)]
        case .converse(let message, let wait, let requestID):
            turnConversed = true
            var actions: [Action] = []
            // An agent that converses has finished its handshake, whatever was heard before;
            // it needs no startup input any more.
            if status == .starting || status == .needsYou {
                startupInputTyped = true
                actions += agentReady()
            }
            guard !ending else {
                return actions + [.answer(.converseResult(text: "Error: the session is ending.", requestID: requestID), to: link)]
            }
            if let requestID, let pending = undeliveredReply, pending.requestID == requestID {
                undeliveredReply = nil
                return actions + [.answer(.converseResult(text: pending.text, requestID: requestID), to: link)]
            }
            if let requestID, converse.currentRequestID == requestID {
                return actions + [.log(.info, "bridge re-attached to the converse in flight")]
            }
            let limit = configuration.maxSpeechCharacters
            guard message.count <= limit else {
                let text = "Error: the message is \(message.count) characters long; the limit is \(limit)."
                return actions + [.answer(.converseResult(text: text, requestID: requestID), to: link)]
            }
            return actions + converse(.converse(message: message, waitForResponse: wait, requestID: requestID), now: now)
        }
    }

    // MARK: Browsers

    /// A browser message that names its turn is for that turn only: a late one for an earlier
    /// turn (one that a newer converse took over, say) is dropped. nil: it is for this turn.
    private func isCurrent(_ turn: String?, _ what: String) -> [Action]? {
        guard let turn, turn != turnTag else { return nil }
        return [.log(.info, "dropped a browser message (\(what)) for an earlier turn \(turn)")]
    }

    // MARK: Speech

    private mutating func speechPiece(_ piece: SpeechPiece, turn: UInt64, now: Date) -> [Action] {
        guard !ending, var current = speech, current.turn == turn else { return [] }
        let seq = current.joiner.chunks
        let chunk = current.joiner.add(piece)
        speech = current
        guard let chunk else { return [] }
        return converse(.speechChunk(turn: turn, seq: seq, audio: chunk.audio, format: chunk.format), now: now)
    }

    // MARK: Activity

    private mutating func agentReported(_ report: AgentReport, now: Date) -> [Action] {
        var settled: [String] = []
        switch report {
        case .promptSubmitted:
            reported = (.working, nil, nil)
            turnConversed = false
            settled = permissions.pending.map(\.id)
        case .toolFinished(_, let callID):
            reported = (.working, nil, nil)
            settled = callID.map(permissions.settledBy(toolUseID:)) ?? []
        case .toolStarted(let tool, let detail, let call):
            reported = (.tool, tool, detail)
            if let call { permissions.toolStarted(id: call.id, tool: tool, input: call.input) }
        case .notification(let kind, let message):
            reported = (kind == "permission_prompt" ? .needsPermission : .needsYou, nil, message)
        case .turnEnded(let message):
            lastAgentMessage = message ?? lastAgentMessage
            reported = (.idle, nil, nil)
            if !turnConversed, let message, message.contains(where: { $0.isLetter || $0.isNumber }) {
                switch configuration.speakReplies {
                case .full: replyDue = message
                case .brief: replyDue = ReplyText.brief(message)
                case .off: break
                }
            }
            turnConversed = false
            settled = permissions.pending.map(\.id)
        case .compacting: reported = (.compacting, nil, nil)
        case .sessionEnded:
            reported = (.dead, nil, nil)
            settled = permissions.pending.map(\.id)
        }
        // The agent went on past a request: it was answered in the terminal, or dropped.
        return settled.flatMap { settlePermission($0, .withdrawn, now: now) }
    }

    // MARK: Prompts

    /// The answer, when the agent asks; else typed into an idle agent at once, or held (in
    /// order) until its turn ends. On disk before anything else: nothing the user said is lost.
    private mutating func prompt(_ text: String, now: Date) -> [Action] {
        promptCount += 1
        let prompt = Prompt(id: configuration.turnTagPrefix + "-p" + String(promptCount, radix: 16), text: text, at: now)
        guard !ending else { return [.writeTranscript(.user, text, requestID: nil), .announcePrompt(prompt, .lost)] }
        if converse.awaitsAnswer {
            return [.announcePrompt(prompt, .answered)] + converse(.typedAnswer(text), now: now)
        }
        let written = Action.writeTranscript(.user, text, requestID: nil)
        if prompts.isEmpty, agentTakesPrompts {
            return [written] + deliver([prompt])
        }
        prompts.add(prompt)
        // Kept in the session's record too: a hub that restarts delivers it.
        return [written, .announcePrompt(prompt, .queued), .saveRecord, .log(.info, "prompt queued until the agent's turn ends")]
    }

    private mutating func promptRecording(_ audio: Data, format: AudioFormat, endWord: String?, now: Date) -> [Action] {
        if converse.awaitsAnswer {
            answerEndWord = endWord
            // The agent asks: the recording is the answer (said over the question: it stops).
            let cut = converse.isSpeaking ? converse(.interrupted, now: now) : []
            return cut + converse(.recording(audio: audio, format: format), now: now)
        }
        guard !audio.isEmpty else { return [.log(.info, "an empty prompt recording (muted) was dropped")] }
        promptRecordings += 1
        promptEndWords[promptRecordings] = endWord
        return [.transcribePrompt(id: promptRecordings, audio, format, voice: voice)]
    }

    /// Not asking, not mid-turn: a prompt typed now starts the agent's next turn (also while
    /// its last reply is being read out).
    private var agentTakesPrompts: Bool {
        let free = converse.isIdle ? status == .ready : converse.isReporting
        guard !ending, free, permissions.pending.isEmpty else { return false }
        guard configuration.agentReportsTurns else { return true }
        // Nothing reported yet: idle, unless it was just given its startup input (an adopted
        // agent's state is unknown; a prompt then is typed rather than kept waiting).
        guard let reported else { return !startupInputSent }
        return reported.state == .idle
    }

    private mutating func deliverPromptsIfIdle() -> [Action] {
        guard !prompts.isEmpty, agentTakesPrompts else { return [] }
        return deliver(prompts.takeAll()) + [.saveRecord]
    }

    /// Typed as one prompt; the agent works from now on (until its turn ends again).
    private mutating func deliver(_ delivered: [Prompt]) -> [Action] {
        if configuration.agentReportsTurns { reported = (.working, nil, nil) }
        turnConversed = false
        return [.typePrompt(PromptQueue.joined(delivered))] + delivered.map { .announcePrompt($0, .delivered) }
    }

    // MARK: Replies

    /// The agent's reply, read out in its voice once nothing else is said or asked here.
    private mutating func speakReplyIfFree(now: Date) -> [Action] {
        guard let reply = replyDue, !ending, converse.isIdle, status == .ready else { return [] }
        replyDue = nil
        return converse(.report(message: reply), now: now)
    }

    // MARK: Permissions

    /// Ends a pending request (nothing when it is not pending): its hook learns the outcome,
    /// a question about it stops being asked.
    private mutating func settlePermission(_ id: String, _ outcome: PermissionOutcome, now: Date) -> [Action] {
        guard let request = permissions.settle(id) else { return [] }
        let resolution = outcome.resolution
        return [.log(.info, "permission for \(request.tool): \(resolution.decision) (\(resolution.by))"),
                .settlePermission(request, outcome), announce(update: true)]
            + converse(.withdrawQuestion(id: id), now: now)
    }

    /// A pending request is asked aloud in the session's voice when nothing else is being said
    /// or answered in this session.
    private mutating func askPermissionIfFree(now: Date) -> [Action] {
        guard !ending, converse.isIdle, status == .ready || status == .active, let (request, asked) = permissions.nextToAsk() else { return [] }
        permissions.asking(request.id)
        let question = PermissionAnswer.question(label: label, tool: request.tool, detail: request.detail)
        return converse(.question(id: request.id, message: asked == 0 ? question : "Please say yes or no. " + question), now: now)
    }

    /// What the user said to a question: yes or no settles it; anything else asks again.
    private mutating func questionEnded(_ id: String, answer: String?, askAgain: Bool, now: Date) -> [Action] {
        if askAgain {
            permissions.interrupted(id)
            return []
        }
        guard let answer, let request = permissions.request(id) else { return [] }
        guard var decision = PermissionAnswer.interpret(answer) else {
            permissions.unclear(id)
            return [.log(.info, "the spoken answer to a permission question was neither yes nor no")]
        }
        if decision == .allowSession, !request.canAllowForSession { decision = .allow }
        return settlePermission(id, .decided(decision, by: .voice), now: now)
    }

    /// What the hub knows first (the session ended, waits for the user, starts, a converse
    /// asks), then what the agent reports; a ready agent that reports nothing is working.
    private func derivedActivity() -> (state: SessionActivity.State, tool: String?, detail: String?) {
        if status != .dead, let request = permissions.pending.first { return (.needsPermission, request.tool, request.detail) }
        switch status {
        case .dead: return (.dead, nil, nil)
        case .needsYou: return (.needsYou, nil, attention?.reason)
        case .starting: return (.starting, nil, nil)
        case .ready, .active: break
        }
        if !converse.isIdle, !converse.isReporting { return (.asking, nil, nil) }
        return reported ?? (.working, nil, nil)
    }

    // MARK: Clocks

    /// A converse that waits for a browser while none has been there for `noListenerTimeout`
    /// is answered "(nobody is listening …)"; a ready session whose agent died or that sat idle
    /// too long goes. (A session still starting has its own clock: `readyTimerFired`.)
    private mutating func healthCheck(browsers: Int, now: Date) -> [Action] {
        var actions: [Action] = []
        if converse.needsBrowser, browsers == 0 {
            let since = unattendedSince ?? now
            unattendedSince = since
            if now.timeIntervalSince(since) >= configuration.noListenerTimeout.seconds {
                unattendedSince = nil
                actions.append(.log(.warning, "no browser for the waiting converse; answering the agent"))
                actions += converse(.nobodyListening(for: configuration.noListenerTimeout), now: now)
            }
        } else {
            unattendedSince = nil
        }
        guard status != .starting, status != .needsYou, !ending else { return actions }
        return actions + [.checkAgentAlive]
    }

    // MARK: End

    /// Answers a waiting converse, closes the bridge, ends the agent, removes the session's files.
    private mutating func end(reason: String, now: Date) -> [Action] {
        ending = true
        speech = nil
        var actions: [Action] = [.stopTerminalWatch, .stopEngines(turn: nil)]
        for request in permissions.pending { actions += settlePermission(request.id, .sessionEnded, now: now) }
        let lost = prompts.takeAll()   // (the record goes with the session)
        if !lost.isEmpty {
            actions += lost.map { .announcePrompt($0, .lost) }
            actions += [.log(.warning, "\(lost.count) queued prompt(s) not delivered: \(reason)"),
                        .announceError("\(lost.count == 1 ? "A prompt" : "\(lost.count) prompts") could not reach the agent (\(reason)); the transcript keeps what you said.")]
        }
        actions += converse(.cancelled(reason: reason), now: now)
        actions += resolve(.terminated)
        if lifecycle.handle(.ended) != nil { actions.append(announce(update: false)) }
        if let bridge { actions.append(.closeBridge(bridge)) }
        bridge = nil
        dialogWatch = nil
        return actions + [.terminateAgent, .removeWorkspace]
    }

    // MARK: Converse

    /// Runs the converse machine and turns its actions into the session's.
    private mutating func converse(_ event: ConverseMachine.Event, now: Date, onlyTo client: ClientID? = nil) -> [Action] {
        var actions: [Action] = []
        for action in converse.handle(event) {
            switch action {
            case .send(let event):
                if let client {
                    actions.append(.send(event, turn: turnTag, to: client))
                } else {
                    // On disk before anyone (the browser, then the agent) is told.
                    actions += transcriptLine(for: event)
                    actions.append(.broadcast(event, turn: turnTag))
                }
            case .synthesize(let turn, let text):
                speech = (turn, AudioJoiner())
                actions.append(.synthesize(turn: turn, text: text, voice: voice, speed: speed))
            case .stopSpeech(let turn):
                if speech?.turn == turn { speech = nil }
                actions.append(.stopEngines(turn: turn))
            case .transcribe(let turn, let audio, let format):
                actions.append(.transcribe(turn: turn, audio, format, voice: voice))
            case .reply(let text, let requestID):
                actions.append(.deliver(text, requestID: requestID, to: bridge))
            case .questionEnded(let id, let answer, let askAgain):
                actions += questionEnded(id, answer: answer, askAgain: askAgain, now: now)
            case .reportEnded:
                actions.append(.log(.debug, "the agent's reply was read out"))
            case .converseStarted:
                turnCount += 1
                turnTag = configuration.turnTagPrefix + String(turnCount, radix: 16)
                if lifecycle.handle(.converseStarted) != nil { actions.append(announce(update: true)) }
            case .converseEnded:
                lastActivity = now
                if lifecycle.handle(.converseEnded) != nil { actions.append(announce(update: true)) }
            case .ignored(let reason):
                actions.append(.log(.info, "ignored browser message: \(reason)"))
            }
        }
        return actions
    }

    /// A converse re-sent after a hub restart (same request id) is already in the transcript.
    private mutating func transcriptLine(for event: SessionEvent) -> [Action] {
        switch event {
        case .assistantText(let text, _) where converse.currentQuestion != nil || converse.isReporting:
            return [.writeTranscript(.assistant, text, requestID: nil)]
        case .assistantText(let text, _):
            let requestID = converse.currentRequestID
            if let requestID, requestID == lastWrittenRequestID { return [] }
            lastWrittenRequestID = requestID
            return [.writeTranscript(.assistant, text, requestID: requestID)]
        case .userText(let text):
            return [.writeTranscript(.user, text, requestID: nil)]
        default:
            return []
        }
    }
}
