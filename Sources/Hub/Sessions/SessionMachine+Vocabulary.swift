import Foundation
import Logging
import PluginAPI
import BridgeProtocol

/// What goes into and comes out of a `SessionMachine`: its configuration, the events it takes,
/// the actions it asks for, and the session as an announcement shows it.
extension SessionMachine {
    struct Configuration: Sendable {
        /// Taken over from an earlier run of the hub: its agent is past start-up.
        var adopted = false
        var startupInput: String?
        var dialogs: [DialogAnswer] = []
        var dialogTiming = DialogWatch.Timing()
        // The config's defaults (a session takes the config's values).
        var maxSpeechCharacters = Limits().maxSpeechCharacters
        var noListenerTimeout = SessionSettings().noListenerTimeout
        var idleTimeout = SessionSettings().idleTimeout
        var permissionTimeout = SessionSettings().permissionTimeout
        /// The agent says when its turn ends (Claude Code's hooks, Codex's notify): prompts wait
        /// for that. One that says nothing gets them at once.
        var agentReportsTurns = false
        /// What is read out of a turn that ended without a converse.
        var speakReplies = AgentProfile.SpeakReplies.off
        /// Random per session and run: turn tags stay unique across restarts of the hub.
        var turnTagPrefix = "t"
        /// The request id of the agent's last transcript line (an adopted session's).
        var lastWrittenRequestID: String?
        /// Prompts an earlier run of the hub held for this (adopted) session.
        var heldPrompts: [String] = []
    }

    /// The machine's part of a session's snapshot, as an announcement carries it.
    struct Shown: Sendable, Equatable {
        var status: SessionStatus
        var label: String
        var voice: String
        var speed: Double
        var lastActivity: Date
        var bridgeConnected: Bool
        var attention: SessionSnapshot.Attention?
        var activity: SessionActivity?
        var permissions: [PermissionRequest] = []
        var queuedPrompts: [Prompt] = []
    }

    typealias BridgeID = UUID
    typealias ClientID = BrowserHub.ClientID

    enum Event: Sendable, Equatable {
        /// The spawner handed over the agent (or the hub adopted it).
        case agentSpawned
        case screen(String, at: ContinuousClock.Instant)
        case dialogTick(at: ContinuousClock.Instant)
        /// The agent's terminal stopped producing screens before the agent was ready.
        case terminalClosed(agentAlive: Bool)
        /// The session's start has taken `ready_timeout` (again).
        case readyTimerFired

        case bridgeAttached(BridgeID, reportsHandshake: Bool)
        case bridgeDetached(BridgeID)
        case bridge(BridgeRequest, from: BridgeID)
        /// A reply could not be handed to the bridge (gone, or stopped reading).
        case replyUndelivered(String, requestID: String?)

        case playbackDone(turn: String?)
        case interrupted(turn: String?)
        /// `endWord`: the word that ended the recording ("over"), left out of what was said.
        case recording(Data, AudioFormat, turn: String?, endWord: String? = nil)
        case recordingRefused(by: ClientID)
        /// `streamedOnly`: the tab announced `audio_stream` and has everything but a turn still being spoken.
        case browserConnected(ClientID, streamedOnly: Bool)
        case voiceChosen(id: String, label: String, previousVoiceLabel: String?)
        case speedChosen(Double)
        case keysFromUser

        case speechPiece(turn: UInt64, SpeechPiece)
        /// The engines have said everything; the audio is to be joined.
        case speechEnded(turn: UInt64)
        case speechJoined(turn: UInt64, audio: Data, format: AudioFormat)
        case speechFailed(turn: UInt64, reason: String)
        case transcribed(turn: UInt64, text: String)
        case transcriptionFailed(turn: UInt64, reason: String)

        /// What the agent says about itself (its hooks).
        case agentReported(AgentReport)
        /// The agent asks before it acts (its `PermissionRequest` hook waits for the outcome).
        /// `input`: the call's input as JSON text.
        case permissionAsked(PermissionRequest, input: String)
        case permissionDecided(id: String, PermissionDecision, by: PermissionOutcome.Decider)
        case permissionTimedOut(id: String)
        /// The user speaks or types to the agent outside a converse (or answers one).
        case prompt(String)
        /// A recorded prompt, to be transcribed (or the answer, when the agent asks).
        case promptRecording(Data, AudioFormat, endWord: String? = nil)
        case promptHeard(id: UInt64, text: String)
        case promptNotHeard(id: UInt64, reason: String)
        /// The periodic health check, with the number of connected browsers.
        case healthCheck(browsers: Int)
        /// Whether the agent's process lives (asked by `checkAgentAlive`).
        case agentAlive(Bool)
        case end(reason: String)
    }

    enum Action: Sendable, Equatable {
        case broadcast(SessionEvent, turn: String?)
        case send(SessionEvent, turn: String?, to: ClientID)
        /// Tell the browsers about the session as it is at this point (`Shown`). `update`: a change
        /// the original hub does not announce (for browsers that said hello).
        case announce(Shown, update: Bool)
        case writeTranscript(TranscriptLog.Role, String, requestID: String?)
        case saveRecord

        case synthesize(turn: UInt64, text: String, voice: String, speed: Double)
        case joinSpeech(turn: UInt64, AudioJoiner)
        case transcribe(turn: UInt64, Data, AudioFormat, voice: String)
        /// Stop the turn's engine work (nobody needs its result), or all of it.
        case stopEngines(turn: UInt64?)

        /// Hand a converse result to the current bridge (or report it undelivered).
        case deliver(String, requestID: String?, to: BridgeID?)
        case answer(BridgeReply, to: BridgeID)
        /// Answer a `status_check` with whether any browser is connected.
        case answerStatusCheck(to: BridgeID)
        case closeBridge(BridgeID)

        case watchTerminal
        case stopTerminalWatch
        case pressKeys([TerminalKey])
        case typeStartupInput(String)
        case terminateAgent
        case resolveReadiness(Readiness)
        case checkAgentAlive
        /// The session must go (its agent died, it sat idle): the manager removes it.
        case remove(reason: String)
        case removeWorkspace
        /// The session's activity changed (for browsers that asked for `activity`).
        case announceActivity(SessionActivity)
        /// A new pending request: tell the browsers, start its clock.
        case announcePermission(PermissionRequest, timeout: Duration)
        /// The request is over: its hook gets the outcome, the browsers hear of it.
        case settlePermission(PermissionRequest, PermissionOutcome)
        /// Type a prompt into the agent's terminal: one paste, then Enter, nothing in between.
        case typePrompt(String)
        case announcePrompt(Prompt, Prompt.State)
        case transcribePrompt(id: UInt64, Data, AudioFormat, voice: String)
        /// A spoken prompt: to the agent it names, else this one.
        case routePrompt(String)
        /// Tell the browsers something went wrong with what the user said.
        case announceError(String)
        case log(Logger.Level, String)
    }
}
