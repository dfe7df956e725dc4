import Foundation
import PluginAPI

/// One session's converse flow as a plain state machine: events in, actions out.
/// `SessionMachine` owns it and turns its actions into the session's (TTS, STT, messages); nothing here does I/O,
/// so every path (muted, no speech, engine errors, reconnects) is tested without sockets.
///
/// idle → speaking → awaitingPlayback → listening → transcribing → idle
public struct ConverseMachine: Sendable {
    public struct Turn: Sendable, Equatable {
        public let id: UInt64
        public let message: String
        public let waitForResponse: Bool
        public let requestID: String?
        /// A question of the hub's own (a permission request's id): the answer stays in the hub.
        public var question: String? = nil
        /// The agent's reply at the end of its turn, read out: nobody waits for it.
        public var isReport = false

        public var kind: TurnKind {
            if question != nil { return .permission }
            if isReport { return .report }
            return waitForResponse ? .question : .message
        }
    }

    /// Audio already streamed in this turn, replayed to a streaming browser that connects mid-turn.
    public struct StreamedChunk: Sendable, Equatable {
        public let audio: Data
        public let format: AudioFormat
    }

    public enum Phase: Sendable, Equatable {
        case idle
        case speaking(Turn, streamed: [StreamedChunk] = [])
        /// The audio is with the browsers; kept so that a browser that connects now gets it too.
        case awaitingPlayback(Turn, audio: Data, format: AudioFormat)
        case listening(Turn)
        case transcribing(Turn)
    }

    public enum Event: Sendable, Equatable {
        case converse(message: String, waitForResponse: Bool, requestID: String?)
        /// The hub asks the user something itself (a permission request), when nothing else is said.
        case question(id: String, message: String)
        /// The question is settled otherwise (a tap): stop asking it.
        case withdrawQuestion(id: String)
        /// Read the agent's reply (its turn ended without a converse); no answer is awaited.
        case report(message: String)
        /// Audio as the engine makes it, for browsers that stream (`seq` counts from 0 per turn).
        case speechChunk(turn: UInt64, seq: Int, audio: Data, format: AudioFormat)
        /// All of the turn's audio, joined into one file; `chunks` is how many chunks went before,
        /// in `streamFormat`. Empty audio: there was nothing to say aloud.
        case speechReady(turn: UInt64, audio: Data, format: AudioFormat, chunks: Int, streamFormat: AudioFormat? = nil)
        case speechFailed(turn: UInt64, reason: String)
        case playbackDone
        /// Barge-in: the user cut the agent short (the page stopped playback and records).
        case interrupted
        case recording(audio: Data, format: AudioFormat)
        /// The hub refused a browser's recording (too big, not base64): that browser must record
        /// again, and one that knows no `error` message learns it from `listening`.
        case recordingRefused
        case transcribed(turn: UInt64, text: String)
        /// The user typed the answer (or said it as a prompt that was transcribed already).
        case typedAnswer(String)
        case transcriptionFailed(turn: UInt64, reason: String)
        /// A browser connected: it must learn what this session waits for.
        case browserConnected
        /// The session is ending: whoever waits gets an answer now.
        case cancelled(reason: String)
        /// No browser has been connected for a while to play the audio or record the answer.
        case nobodyListening(for: Duration)
    }

    public enum Action: Sendable, Equatable {
        case send(SessionEvent)
        case synthesize(turn: UInt64, text: String)
        /// Stop making the turn's speech: nobody will hear the rest.
        case stopSpeech(turn: UInt64)
        case transcribe(turn: UInt64, audio: Data, format: AudioFormat)
        case reply(String, requestID: String?)
        /// A hub question's turn ended: what the user said (nil: no answer came); `askAgain`:
        /// it was cut short before the user could answer.
        case questionEnded(id: String, answer: String?, askAgain: Bool)
        /// A reply read out has been said (or cut short).
        case reportEnded
        /// The converse started (session becomes `active`) or ended (back to `ready`).
        case converseStarted
        case converseEnded
        /// A browser message that does not apply in the current phase; logged and dropped.
        case ignored(String)
    }

    public private(set) var phase: Phase = .idle
    private var nextTurn: UInt64 = 1

    public init() {}

    public var isIdle: Bool { phase == .idle }

    /// The turn's audio is still being made (chunks are streamed as they come).
    public var isSpeaking: Bool {
        if case .speaking = phase { true } else { false }
    }

    /// The user can answer now (the question is said, or being said): a prompt is the answer.
    public var awaitsAnswer: Bool {
        switch phase {
        case .speaking(let turn, _): turn.waitForResponse
        case .awaitingPlayback, .listening: true
        default: false
        }
    }

    /// Waiting for a browser: to play the turn's audio or to record the answer.
    public var needsBrowser: Bool {
        switch phase {
        case .awaitingPlayback, .listening: true
        default: false
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return seconds % 60 == 0 && seconds >= 60 ? "\(seconds / 60) min" : "\(seconds) s"
    }

    /// The request id of the turn in flight, so a reconnecting bridge re-attaches instead of re-asking.
    public var currentRequestID: String? { currentTurn?.requestID }

    /// Reading out an agent's reply (nobody waits for an answer).
    public var isReporting: Bool { currentTurn?.isReport == true }

    /// The hub question being asked, if the turn in flight is one.
    public var currentQuestion: String? { currentTurn?.question }

    private var currentTurn: Turn? {
        switch phase {
        case .idle: nil
        case .speaking(let turn, _), .awaitingPlayback(let turn, _, _), .listening(let turn), .transcribing(let turn): turn
        }
    }

    public mutating func handle(_ event: Event) -> [Action] {
        switch (phase, event) {
        case (.idle, .converse(let message, let wait, let requestID)):
            return begin(Turn(id: nextTurn, message: message, waitForResponse: wait, requestID: requestID))
        case (.idle, .question(let id, let message)):
            var turn = Turn(id: nextTurn, message: message, waitForResponse: true, requestID: nil)
            turn.question = id
            return begin(turn)
        case (.idle, .report(let message)):
            var turn = Turn(id: nextTurn, message: message, waitForResponse: false, requestID: nil)
            turn.isReport = true
            return begin(turn)
        case (_, .question), (_, .report):
            return [.ignored("a question or report while a turn is in flight")]
        case (_, .withdrawQuestion(let id)):
            guard let turn = currentTurn, turn.question == id else { return [] }
            phase = .idle
            return [.stopSpeech(turn: turn.id), .send(.done), .converseEnded]

        // The agent speaks while the hub asks its own question (or reads a reply out): the
        // agent's turn goes first, the question is asked again afterwards (its answer must not
        // become the agent's); the rest of the reply is in the transcript.
        case (_, .converse(let message, let wait, let requestID)) where currentTurn?.question != nil || currentTurn?.isReport == true:
            guard let old = currentTurn else { return [] }
            return Self.supersede(old) + [.stopSpeech(turn: old.id), .send(.done)]
                + begin(Turn(id: nextTurn, message: message, waitForResponse: wait, requestID: requestID))

        // A new converse while one is pending: the agent gave up on the old call (Codex ends a
        // tool call at its timeout without telling the bridge). The new call takes over; the
        // old one is answered (nobody reads it) so nothing waits on it.
        case (.speaking(let old, _), .converse(let message, let wait, let requestID)),
             (.awaitingPlayback(let old, _, _), .converse(let message, let wait, let requestID)):
            // Nothing was answered yet: the new message is said instead.
            return Self.supersede(old) + [.stopSpeech(turn: old.id)]
                + begin(Turn(id: nextTurn, message: message, waitForResponse: wait, requestID: requestID))
        case (.listening(let old), .converse(let message, _, let requestID)),
             (.transcribing(let old), .converse(let message, _, let requestID)):
            // The user is answering: the answer goes to the new call (even one that asked for
            // none: what the user said is not dropped). Its words are shown, not said (that would
            // talk over the user).
            let turn = Turn(id: old.id, message: message, waitForResponse: true, requestID: requestID)
            if case .listening = phase { phase = .listening(turn) } else { phase = .transcribing(turn) }
            var actions = Self.supersede(old)
            if message != old.message { actions.append(.send(.assistantText(message, kind: turn.kind))) }
            return actions

        case (.speaking(let turn, let streamed), .speechChunk(let id, let seq, let audio, let format)) where id == turn.id:
            phase = .speaking(turn, streamed: streamed + [StreamedChunk(audio: audio, format: format)])
            return [.send(.audioChunk(seq: seq, audio: audio, format: format, final: false))]

        case (.speaking(let turn, _), .speechReady(let id, let audio, let format, let chunks, let streamFormat)) where id == turn.id:
            // Streaming browsers have the audio already and learn that it is complete; the others get it whole.
            let delivery: [Action] = audio.isEmpty ? [] : [
                .send(.audioChunk(seq: chunks, audio: Data(), format: streamFormat ?? format, final: true)), .send(.audio(audio, format)),
            ]
            guard turn.waitForResponse else {
                phase = .idle
                return delivery + [Self.end(turn, "Message delivered."), .send(.done), .converseEnded]
            }
            guard !audio.isEmpty else {
                phase = .listening(turn)
                return [.send(.listening)]
            }
            phase = .awaitingPlayback(turn, audio: audio, format: format)
            return delivery

        case (.speaking(let turn, _), .speechFailed(let id, let reason)) where id == turn.id:
            return fail(turn, "Error: text-to-speech failed: \(reason)")

        // Barge-in during synthesis: what the agent had yet to say is dropped, the user speaks.
        case (.speaking(let turn, _), .interrupted):
            guard turn.waitForResponse else {
                phase = .idle
                return [.stopSpeech(turn: turn.id), Self.end(turn, "Message delivered (the user interrupted it)."),
                        .send(.done), .converseEnded]
            }
            phase = .listening(turn)
            return [.stopSpeech(turn: turn.id), .send(.listening)]

        case (.awaitingPlayback(let turn, _, _), .playbackDone), (.awaitingPlayback(let turn, _, _), .interrupted):
            phase = .listening(turn)
            return [.send(.listening)]

        // The user may answer before playback ends (or a page may skip playback): take the recording.
        case (.awaitingPlayback(let turn, _, _), .recording(let audio, let format)),
             (.listening(let turn), .recording(let audio, let format)):
            guard !audio.isEmpty else {
                phase = .idle
                return [Self.end(turn, "(session muted)"), .send(.done), .converseEnded]
            }
            phase = .transcribing(turn)
            return [.send(.status("Transcribing...")), .transcribe(turn: turn.id, audio: audio, format: format)]

        case (.transcribing(let turn), .transcribed(let id, let text)) where id == turn.id:
            phase = .idle
            // Whisper turns near-silence into ". ." or "...": that is no speech, not an answer.
            guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
                return [Self.end(turn, "(no speech detected)", heard: ""), .send(.done), .converseEnded]
            }
            return [.send(.userText(text)), Self.end(turn, text, heard: text), .send(.done), .converseEnded]

        case (.speaking(let turn, _), .typedAnswer(let text)) where turn.waitForResponse,
             (.awaitingPlayback(let turn, _, _), .typedAnswer(let text)), (.listening(let turn), .typedAnswer(let text)):
            phase = .idle
            return [.stopSpeech(turn: turn.id), .send(.userText(text)), Self.end(turn, text, heard: text), .send(.done), .converseEnded]
        case (_, .typedAnswer):
            return [.ignored("a typed answer while nothing was asked")]

        case (.transcribing(let turn), .transcriptionFailed(let id, let reason)) where id == turn.id:
            return fail(turn, "Error: speech-to-text failed: \(reason)")

        // A streaming browser that connects mid-turn catches up with the chunks so far, then gets
        // the rest like the others (a non-streaming one gets the whole audio when it is ready).
        case (.speaking(_, let streamed), .browserConnected):
            return streamed.enumerated().map { seq, chunk in
                .send(.audioChunk(seq: seq, audio: chunk.audio, format: chunk.format, final: false))
            }
        case (.awaitingPlayback(_, let audio, let format), .browserConnected):
            return [.send(.pendingAudio(audio, format))]
        case (.listening, .browserConnected), (.listening, .recordingRefused), (.awaitingPlayback, .recordingRefused):
            return [.send(.listening)]
        case (_, .recordingRefused):
            return []

        // The agent learns that nobody is there; the session stays usable for its next converse.
        case (.awaitingPlayback(let turn, _, _), .nobodyListening(let duration)), (.listening(let turn), .nobodyListening(let duration)):
            phase = .idle
            let text = "(nobody is listening: no browser has been connected to the hub for \(Self.seconds(duration)); the user did not hear or answer this message)"
            return [Self.end(turn, text), .send(.done), .converseEnded]
        case (_, .nobodyListening):
            return []

        case (.idle, .cancelled):
            return []
        case (.speaking(let turn, _), .cancelled(let reason)), (.awaitingPlayback(let turn, _, _), .cancelled(let reason)),
             (.listening(let turn), .cancelled(let reason)), (.transcribing(let turn), .cancelled(let reason)):
            phase = .idle
            return [Self.end(turn, "Error: \(reason)"), .send(.done), .converseEnded]

        case (_, .playbackDone), (_, .interrupted), (_, .browserConnected):
            return []
        // With several tabs the first recording wins; the others arrive while this turn is being
        // transcribed or after it ended, and are dropped without troubling anyone.
        case (.transcribing, .recording):
            return []
        case (_, .recording):
            return [.ignored("a recording arrived while the session was not listening")]
        case (_, .speechChunk), (_, .speechReady), (_, .speechFailed), (_, .transcribed), (_, .transcriptionFailed):
            // A late result of a turn that has already ended (cancelled); nothing waits for it.
            return []
        }
    }

    /// A new turn is said: shown, announced, its speech made.
    private mutating func begin(_ turn: Turn) -> [Action] {
        nextTurn = turn.id + 1
        phase = .speaking(turn)
        return [.converseStarted, .send(.assistantText(turn.message, kind: turn.kind)), .send(.status("Speaking...")),
                .synthesize(turn: turn.id, text: turn.message)]
    }

    public static let supersededReply = "Error: a newer converse call from this session took over this one."

    /// The answer for a call that was taken over. An original bridge (no request ids) answers
    /// its one waiting call with any reply, which now is the new call: it gets none.
    private static func supersede(_ old: Turn) -> [Action] {
        if let question = old.question { return [.questionEnded(id: question, answer: nil, askAgain: true)] }
        if old.isReport { return [.reportEnded] }
        return old.requestID == nil ? [] : [.reply(supersededReply, requestID: old.requestID)]
    }

    /// The end of a turn for whoever asked: the agent gets `text`; a hub question gets what the
    /// user said (`heard`; nil when no answer came).
    private static func end(_ turn: Turn, _ text: String, heard: String? = nil) -> Action {
        if turn.isReport { return .reportEnded }
        guard let question = turn.question else { return .reply(text, requestID: turn.requestID) }
        return .questionEnded(id: question, answer: heard, askAgain: false)
    }

    private mutating func fail(_ turn: Turn, _ message: String) -> [Action] {
        phase = .idle
        return [.send(.status(message)), Self.end(turn, message), .send(.done), .converseEnded]
    }
}
