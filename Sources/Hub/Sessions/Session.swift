import Foundation
import Logging
import PluginAPI
import BridgeProtocol
import PluginRuntime

/// One agent session: the executor of its `SessionMachine`. Every decision is the machine's;
/// this actor feeds it events (from the agent, its bridge, browsers, engines, clocks) and does
/// the I/O its actions ask for.
actor Session {
    nonisolated let id: String
    nonisolated let workspace: SessionWorkspace
    /// The bridge must present this on `/mcp/{id}`.
    nonisolated let secret: String
    nonisolated let createdAt: Date
    nonisolated let spawnerName: String
    nonisolated let profile: AgentProfile
    /// The user's project folder the agent works in; nil: the session's own scratch folder.
    nonisolated let projectDirectory: String?
    /// Where the agent's files are when it runs on another host; nil: on this machine.
    nonisolated let remote: RemoteWorkspace?

    // Internal, not private: `Session+Actions.swift` executes the machine's actions on them.
    var machine: SessionMachine
    var agent: (any SpawnedAgent)?
    var links: [BridgeLink.ID: BridgeLink] = [:]
    var readinessWaiters: [CheckedContinuation<Readiness, Never>] = []
    var terminalWatcher: Task<Void, Never>?
    var engineTasks: [UInt64: Task<Void, Never>] = [:]
    var promptTranscriptions: [UInt64: Task<Void, Never>] = [:]
    /// Transcripts of streamed recordings made during the user's pauses, by the recording's bytes.
    var transcriptsAhead: [Data: Task<String, any Error>] = [:]
    /// The last keystrokes sent to the agent: the next ones wait for them (a paste and its
    /// Enter are never split by other keys).
    var typing: Task<Void, Never>?
    /// The hooks waiting for a permission decision, by request id, and the requests' clocks.
    var permissionWaiters: [String: CheckedContinuation<PermissionOutcome, Never>] = [:]
    var permissionClocks: [String: Task<Void, Never>] = [:]
    /// Outcomes that came before their hook started waiting.
    var permissionOutcomes: [String: PermissionOutcome] = [:]
    /// Set by a `remove` action for the caller of the health check.
    var removal: String?
    let services: SessionServices
    let engines: SessionEngines
    let logger: Logger
    /// nil when the state dir cannot be written (logged once; the conversation goes on).
    let transcript: TranscriptLog?

    init(
        id: String, label: String, voice: String, speed: Double = 1.0, workspace: SessionWorkspace, secret: String,
        spawnerName: String, profile: AgentProfile, projectDirectory: String?, remote: RemoteWorkspace? = nil,
        createdAt: Date = Date(), adopted: Bool = false, heldPrompts: [String] = [], services: SessionServices
    ) {
        (self.id, self.profile, self.projectDirectory, self.spawnerName) = (id, profile, projectDirectory, spawnerName)
        self.remote = remote
        (self.createdAt, self.workspace, self.secret, self.services) = (createdAt, workspace, secret, services)
        var logger = services.logger
        logger[metadataKey: "session"] = "\(id)"
        self.logger = logger
        engines = SessionEngines(router: services.router, workspace: workspace, logger: logger)
        let configuration = SessionMachine.Configuration(
            adopted: adopted, startupInput: profile.startupInput, dialogs: profile.dialogs,
            maxSpeechCharacters: services.limits.maxSpeechCharacters, noListenerTimeout: services.settings.noListenerTimeout,
            idleTimeout: services.settings.idleTimeout, permissionTimeout: services.settings.permissionTimeout,
            agentReportsTurns: profile.reportsTurns, speakReplies: profile.speakReplies, turnTagPrefix: RandomToken.hex(bytes: 3),
            lastWrittenRequestID: adopted ? TranscriptLog.lastAgentRequestID(directory: services.transcriptDirectory, sessionID: id) : nil,
            heldPrompts: heldPrompts)
        machine = SessionMachine(configuration: configuration, label: label, voice: voice, speed: speed, now: Date())
        do {
            transcript = try TranscriptLog(directory: services.transcriptDirectory, sessionID: id)
        } catch {
            logger.error("cannot keep this session's transcript", metadata: ["error": "\(error)"])
            transcript = nil
        }
        workspace.save(Self.record(machine, id: id, spawnerName: spawnerName, secret: secret, createdAt: createdAt,
                                   profile: profile, projectDirectory: projectDirectory, host: remote?.hostName))
    }

    /// What a restarted hub needs to take this session over.
    var record: SessionWorkspace.Record {
        Self.record(machine, id: id, spawnerName: spawnerName, secret: secret, createdAt: createdAt,
                    profile: profile, projectDirectory: projectDirectory, host: remote?.hostName)
    }

    static func record(
        _ machine: SessionMachine, id: String, spawnerName: String, secret: String, createdAt: Date, profile: AgentProfile,
        projectDirectory: String?, host: String?
    ) -> SessionWorkspace.Record {
        .init(id: id, label: machine.label, voice: machine.voice, speed: machine.speed, spawner: spawnerName, secret: secret,
              createdAt: createdAt, agent: profile.id, projectDirectory: projectDirectory,
              heldPrompts: machine.heldPromptTexts.isEmpty ? nil : machine.heldPromptTexts, host: host)
    }

    var status: SessionStatus { machine.status }
    var label: String { machine.label }
    var voice: String { machine.voice }

    func snapshot() -> SessionSnapshot {
        snapshot(machine.shown)
    }

    func snapshot(_ shown: SessionMachine.Shown) -> SessionSnapshot {
        SessionSnapshot(
            id: id, status: shown.status, label: shown.label, voice: shown.voice, speed: shown.speed,
            createdAt: createdAt, lastActivity: shown.lastActivity, bridgeConnected: shown.bridgeConnected,
            terminal: agent?.debugDescription ?? "", workDirectory: remote?.directory ?? workspace.directory,
            agent: profile.id, agentLabel: profile.label, projectDirectory: projectDirectory, attention: shown.attention,
            activity: shown.activity, permissions: shown.permissions, queuedPrompts: shown.queuedPrompts, host: remote?.hostName)
    }

    // MARK: Events in

    /// Takes over the spawned agent. Returns false (and ends the agent) when the session ended
    /// while the agent was being spawned, so nothing outlives it.
    func started(_ agent: any SpawnedAgent) async -> Bool {
        self.agent = agent
        await handle(.agentSpawned)
        return !machine.ending
    }

    func attachBridge(_ link: BridgeLink, reportsHandshake: Bool) async {
        links[link.id] = link
        await handle(.bridgeAttached(link.id, reportsHandshake: reportsHandshake))
    }

    func detachBridge(_ link: BridgeLink) async {
        links[link.id] = nil
        await handle(.bridgeDetached(link.id))
    }

    func handleBridge(_ request: BridgeRequest, from link: BridgeLink) async { await handle(.bridge(request, from: link.id)) }
    func playbackDone(turn: String? = nil) async { await handle(.playbackDone(turn: turn)) }
    func interrupt(turn: String? = nil) async { await handle(.interrupted(turn: turn)) }
    /// `transcript`: made while the user paused (a streamed recording); used when the machine
    /// asks for this recording's transcription.
    func recording(_ audio: Data, format: AudioFormat, turn: String? = nil, endWord: String? = nil,
                   transcript: Task<String, any Error>? = nil) async {
        await withTranscript(transcript, of: audio) { await handle(.recording(audio, format, turn: turn, endWord: endWord)) }
    }

    /// A streamed recording's words so far, transcribed with this session's speech-to-text chain.
    func transcribeAhead(_ wav: Data) -> Task<String, any Error> {
        engines.transcribeAhead(wav, voice: machine.voice)
    }

    /// Offers a transcript made ahead to the actions of `body` (the machine's transcribe action
    /// for this very audio takes it); one nobody took is cancelled.
    func withTranscript(_ transcript: Task<String, any Error>?, of audio: Data, _ body: () async -> Void) async {
        guard let transcript else { return await body() }
        transcriptsAhead[audio] = transcript
        await body()
        transcriptsAhead.removeValue(forKey: audio)?.cancel()
    }
    /// The hub refused this browser's recording: it is asked to record again.
    func recordingRefused(by client: BrowserHub.ClientID) async { await handle(.recordingRefused(by: client)) }
    /// A browser just connected: tell it (only it) what this session is waiting for.
    func replayPending(to client: BrowserHub.ClientID, streamedOnly: Bool = false) async {
        await handle(.browserConnected(client, streamedOnly: streamedOnly))
    }
    func setVoice(_ route: VoiceRoute, replacingLabel oldVoiceLabel: String?) async {
        await handle(.voiceChosen(id: route.id, label: route.label, previousVoiceLabel: oldVoiceLabel))
    }
    func setSpeed(_ speed: Double) async { await handle(.speedChosen(speed)) }
    func readyTimerFired() async { await handle(.readyTimerFired) }
    /// What the agent says about itself (a hook).
    func agentReported(_ report: AgentReport) async { await handle(.agentReported(report)) }
    func end(reason: String) async { await handle(.end(reason: reason)) }

    /// The periodic check; returns why the session must go, if it must.
    func healthCheck(browsers: Int) async -> String? {
        removal = nil
        await handle(.healthCheck(browsers: browsers))
        return removal
    }

    /// Keys the user sent from the page (a dialog the hub did not answer).
    func sendKeys(_ keys: [TerminalKey]) async throws(SessionError) {
        guard agent != nil else { throw .unavailable("the agent has not started yet") }
        await handle(.keysFromUser)
        do {
            try await sendAfterTyping(keys)
        } catch {
            throw .unavailable("could not send the keys: \(error)")
        }
    }

    func waitUntilReady() async -> Readiness {
        if let readiness = machine.readiness { return readiness }
        return await withCheckedContinuation { readinessWaiters.append($0) }
    }

    func handle(_ event: SessionMachine.Event) async {
        await perform(machine.handle(event, now: Date()))
    }

    /// An engine task's last report: the task is done (unless the turn was stopped meanwhile).
    func engineFinished(_ turn: UInt64, _ event: SessionMachine.Event) async {
        engineTasks[turn] = nil
        guard !Task.isCancelled else { return }
        await handle(event)
    }
}
