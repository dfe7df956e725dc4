import Foundation
@testable import Hub
import PluginAPI
import Testing

private typealias Action = ConverseMachine.Action
private typealias Turn = ConverseMachine.Turn

private let speech = Data([0x49, 0x44, 0x33, 0x04])
private let userAudio = Data([0x1A, 0x45, 0xDF, 0xA3])

/// A machine in `speaking` for turn 1 ("Hello", request "req-1" unless told otherwise).
private func speakingMachine(wait: Bool = true, requestID: String? = "req-1") -> ConverseMachine {
    var machine = ConverseMachine()
    _ = machine.handle(.converse(message: "Hello", waitForResponse: wait, requestID: requestID))
    return machine
}

/// Turn 1's audio is with the browsers.
private func awaitingPlaybackMachine(requestID: String? = "req-1") -> ConverseMachine {
    var machine = speakingMachine(requestID: requestID)
    _ = machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 0))
    return machine
}

private func listeningMachine(requestID: String? = "req-1") -> ConverseMachine {
    var machine = awaitingPlaybackMachine(requestID: requestID)
    _ = machine.handle(.playbackDone)
    return machine
}

private func transcribingMachine(requestID: String? = "req-1") -> ConverseMachine {
    var machine = listeningMachine(requestID: requestID)
    _ = machine.handle(.recording(audio: userAudio, format: .webm))
    return machine
}

private let turn1 = Turn(id: 1, message: "Hello", waitForResponse: true, requestID: "req-1")

struct ConverseMachineTests {
    @Test func fullTurnSpeaksListensTranscribesAndReplies() {
        var machine = ConverseMachine()
        #expect(machine.isIdle)

        let started = machine.handle(.converse(message: "Hello", waitForResponse: true, requestID: "req-1"))
        let expectedStart: [Action] = [
            .converseStarted, .send(.assistantText("Hello")), .send(.status("Speaking...")),
            .synthesize(turn: 1, text: "Hello"),
        ]
        #expect(started == expectedStart)
        #expect(machine.phase == .speaking(turn1))

        let ready = machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 0))
        #expect(ready == [Action.send(.audioChunk(seq: 0, audio: Data(), format: .mp3, final: true)), .send(.audio(speech, .mp3))])
        #expect(machine.phase == .awaitingPlayback(turn1, audio: speech, format: .mp3))

        let played = machine.handle(.playbackDone)
        #expect(played == [Action.send(.listening)])
        #expect(machine.phase == .listening(turn1))

        let recorded = machine.handle(.recording(audio: userAudio, format: .webm))
        let expectedTranscribe: [Action] = [
            .send(.status("Transcribing...")), .transcribe(turn: 1, audio: userAudio, format: .webm),
        ]
        #expect(recorded == expectedTranscribe)
        #expect(machine.phase == .transcribing(turn1))

        let transcribed = machine.handle(.transcribed(turn: 1, text: "Yes please"))
        let expectedEnd: [Action] = [
            .send(.userText("Yes please")), .reply("Yes please", requestID: "req-1"), .send(.done), .converseEnded,
        ]
        #expect(transcribed == expectedEnd)
        #expect(machine.phase == .idle)
        #expect(machine.isIdle)
    }

    @Test func turnIDsIncreaseFromOneTurnToTheNext() {
        var machine = speakingMachine()
        _ = machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 0))
        _ = machine.handle(.recording(audio: Data(), format: .webm))  // muted: back to idle
        let second = machine.handle(.converse(message: "Again", waitForResponse: true, requestID: nil))
        #expect(second.contains(.synthesize(turn: 2, text: "Again")))
    }

    @Test func notWaitingForAResponseRepliesMessageDeliveredAfterTheAudio() {
        var machine = speakingMachine(wait: false, requestID: "req-2")
        let actions = machine.handle(.speechReady(turn: 1, audio: speech, format: .wav, chunks: 0))
        let expected: [Action] = [
            .send(.audioChunk(seq: 0, audio: Data(), format: .wav, final: true)), .send(.audio(speech, .wav)),
            .reply("Message delivered.", requestID: "req-2"), .send(.done), .converseEnded,
        ]
        #expect(actions == expected)
        #expect(machine.phase == .idle)
    }

    @Test func emptyRecordingMeansTheSessionIsMuted() {
        var machine = listeningMachine()
        let actions = machine.handle(.recording(audio: Data(), format: .webm))
        let expected: [Action] = [.reply("(session muted)", requestID: "req-1"), .send(.done), .converseEnded]
        #expect(actions == expected)
        #expect(machine.phase == .idle)
    }

    @Test func emptyTranscriptMeansNoSpeechDetected() {
        var machine = transcribingMachine()
        let actions = machine.handle(.transcribed(turn: 1, text: ""))
        let expected: [Action] = [.reply("(no speech detected)", requestID: "req-1"), .send(.done), .converseEnded]
        #expect(actions == expected)
        #expect(machine.phase == .idle)
    }

    @Test func punctuationOnlyTranscriptMeansNoSpeechDetected() {
        for heard in [". .", "...", " ? "] {
            var machine = transcribingMachine()
            #expect(machine.handle(.transcribed(turn: 1, text: heard)).first == .reply("(no speech detected)", requestID: "req-1"))
        }
    }

    @Test func speechFailureIsShownRepliedAndEndsTheTurn() throws {
        var machine = speakingMachine()
        let actions = machine.handle(.speechFailed(turn: 1, reason: "kokoro is down"))
        try #require(actions.count == 4)
        guard case .send(.status(let status)) = actions[0], case .reply(let reply, let requestID) = actions[1] else {
            Issue.record("expected a status then a reply, got \(actions)")
            return
        }
        #expect(status.hasPrefix("Error: text-to-speech failed"))
        #expect(status.contains("kokoro is down"))
        #expect(reply.hasPrefix("Error:"))
        #expect(requestID == "req-1")
        #expect(Array(actions[2...]) == [Action.send(.done), .converseEnded])
        #expect(machine.phase == .idle)
    }

    @Test func transcriptionFailureIsShownRepliedAndEndsTheTurn() throws {
        var machine = transcribingMachine()
        let actions = machine.handle(.transcriptionFailed(turn: 1, reason: "whisper timed out"))
        try #require(actions.count == 4)
        guard case .send(.status(let status)) = actions[0], case .reply(let reply, let requestID) = actions[1] else {
            Issue.record("expected a status then a reply, got \(actions)")
            return
        }
        #expect(status.hasPrefix("Error: speech-to-text failed"))
        #expect(status.contains("whisper timed out"))
        #expect(reply.hasPrefix("Error:"))
        #expect(requestID == "req-1")
        #expect(Array(actions[2...]) == [Action.send(.done), .converseEnded])
        #expect(machine.phase == .idle)
    }

    @Test func aNewConverseWhileTheUserAnswersTakesOverTheTurn() {
        var machine = listeningMachine()
        let actions = machine.handle(.converse(message: "Still there?", waitForResponse: true, requestID: "req-9"))
        #expect(actions == [.reply(ConverseMachine.supersededReply, requestID: "req-1"), .send(.assistantText("Still there?"))])
        #expect(machine.phase == .listening(Turn(id: 1, message: "Still there?", waitForResponse: true, requestID: "req-9")))
        // The user's answer goes to the live call.
        _ = machine.handle(.recording(audio: userAudio, format: .webm))
        let answered = machine.handle(.transcribed(turn: 1, text: "yes"))
        #expect(answered.contains(.reply("yes", requestID: "req-9")))
        #expect(machine.phase == .idle)
    }

    @Test func aNewConverseDuringTranscriptionGetsTheTranscript() {
        var machine = transcribingMachine()
        let actions = machine.handle(.converse(message: "Hello", waitForResponse: true, requestID: "req-2"))
        #expect(actions == [.reply(ConverseMachine.supersededReply, requestID: "req-1")], "the same words are not shown twice")
        #expect(machine.handle(.transcribed(turn: 1, text: "run the tests")).contains(.reply("run the tests", requestID: "req-2")))
    }

    @Test func aNewConverseBeforeTheUserAnswersIsSaidInstead() {
        var machine = awaitingPlaybackMachine()
        let actions = machine.handle(.converse(message: "New words", waitForResponse: true, requestID: "req-3"))
        #expect(actions == [
            .reply(ConverseMachine.supersededReply, requestID: "req-1"), .stopSpeech(turn: 1), .converseStarted,
            .send(.assistantText("New words")), .send(.status("Speaking...")), .synthesize(turn: 2, text: "New words"),
        ])
        #expect(machine.phase == .speaking(Turn(id: 2, message: "New words", waitForResponse: true, requestID: "req-3")))
        #expect(machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 0)).isEmpty, "the old turn's late audio is dropped")
    }

    @Test func aRefusedRecordingAsksTheBrowserToRecordAgain() {
        var machine = listeningMachine()
        #expect(machine.handle(.recordingRefused) == [.send(.listening)])
        #expect(machine.phase == .listening(turn1))
        var idle = ConverseMachine()
        #expect(idle.handle(.recordingRefused).isEmpty)
    }

    @Test func recordingDuringPlaybackIsAccepted() {
        var machine = awaitingPlaybackMachine()
        let actions = machine.handle(.recording(audio: userAudio, format: .ogg))
        let expected: [Action] = [.send(.status("Transcribing...")), .transcribe(turn: 1, audio: userAudio, format: .ogg)]
        #expect(actions == expected)
        #expect(machine.phase == .transcribing(turn1))
    }

    /// Several browsers may record the same answer: the first recording wins, the rest are dropped quietly.
    @Test func secondRecordingWhileTranscribingIsIgnored() {
        var machine = transcribingMachine()
        #expect(machine.handle(.recording(audio: Data("late".utf8), format: .webm)).isEmpty)
        #expect(machine.phase == transcribingMachine().phase)
    }

    @Test func recordingWhileIdleIsIgnored() throws {
        var machine = ConverseMachine()
        let actions = machine.handle(.recording(audio: userAudio, format: .webm))
        try #require(actions.count == 1)
        guard case .ignored = actions[0] else {
            Issue.record("expected it to be ignored, got \(actions)")
            return
        }
        #expect(machine.phase == .idle)
    }

    @Test func browserConnectingDuringPlaybackGetsTheSameAudioAgain() {
        var machine = awaitingPlaybackMachine()
        let before = machine.phase
        let first = machine.handle(.browserConnected)
        let second = machine.handle(.browserConnected)
        #expect(first == [Action.send(.pendingAudio(speech, .mp3))])
        #expect(second == first)
        #expect(machine.phase == before)
    }

    @Test func browserConnectingWhileListeningIsToldToListen() {
        var machine = listeningMachine()
        let actions = machine.handle(.browserConnected)
        #expect(actions == [Action.send(.listening)])
        #expect(machine.phase == .listening(turn1))
    }

    @Test func browserConnectingWhileIdleGetsNothing() {
        var machine = ConverseMachine()
        let actions = machine.handle(.browserConnected)
        #expect(actions.isEmpty)
        #expect(machine.phase == .idle)
    }

    @Test func cancellingWhileListeningAnswersTheWaitingCallWithTheReason() {
        var machine = listeningMachine()
        let actions = machine.handle(.cancelled(reason: "session deleted"))
        let expected: [Action] = [.reply("Error: session deleted", requestID: "req-1"), .send(.done), .converseEnded]
        #expect(actions == expected)
        #expect(machine.phase == .idle)
    }

    @Test func cancellingWhileIdleDoesNothing() {
        var machine = ConverseMachine()
        let actions = machine.handle(.cancelled(reason: "session deleted"))
        #expect(actions.isEmpty)
        #expect(machine.phase == .idle)
    }

    @Test func staleSpeechOfACancelledTurnIsIgnored() {
        var machine = speakingMachine()
        _ = machine.handle(.cancelled(reason: "bridge lost"))
        _ = machine.handle(.converse(message: "Second", waitForResponse: true, requestID: "req-2"))
        let turn2 = Turn(id: 2, message: "Second", waitForResponse: true, requestID: "req-2")

        let staleAudio = machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 0))
        let staleFailure = machine.handle(.speechFailed(turn: 1, reason: "late"))
        #expect(staleAudio.isEmpty)
        #expect(staleFailure.isEmpty)
        #expect(machine.phase == .speaking(turn2))

        let current = machine.handle(.speechReady(turn: 2, audio: speech, format: .mp3, chunks: 0))
        #expect(current == [Action.send(.audioChunk(seq: 0, audio: Data(), format: .mp3, final: true)), .send(.audio(speech, .mp3))])
    }

    @Test func staleTranscriptAfterCancellationIsIgnored() {
        var machine = transcribingMachine()
        _ = machine.handle(.cancelled(reason: "timed out"))
        let late = machine.handle(.transcribed(turn: 1, text: "too late"))
        #expect(late.isEmpty)
        #expect(machine.phase == .idle)
    }

    @Test func requestIDIsCurrentThroughoutTheTurnAndClearedAfter() {
        var machine = ConverseMachine()
        #expect(machine.currentRequestID == nil)
        _ = machine.handle(.converse(message: "Hello", waitForResponse: true, requestID: "req-7"))
        #expect(machine.currentRequestID == "req-7")
        _ = machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 0))
        #expect(machine.currentRequestID == "req-7")
        _ = machine.handle(.playbackDone)
        #expect(machine.currentRequestID == "req-7")
        _ = machine.handle(.recording(audio: userAudio, format: .webm))
        #expect(machine.currentRequestID == "req-7")
        let actions = machine.handle(.transcribed(turn: 1, text: "ok"))
        #expect(actions.contains(.reply("ok", requestID: "req-7")))
        #expect(machine.currentRequestID == nil)
    }

    @Test func replyWithoutRequestIDCarriesNone() {
        var machine = listeningMachine(requestID: nil)
        #expect(machine.currentRequestID == nil)
        let actions = machine.handle(.recording(audio: Data(), format: .webm))
        #expect(actions.first == Action.reply("(session muted)", requestID: nil))
    }
}

struct ConverseMachineStreamingTests {
    @Test func chunksGoOutAsTheyComeAndAStreamingLatecomerCatchesUp() {
        var machine = ConverseMachine()
        _ = machine.handle(.converse(message: "Hi. There.", waitForResponse: true, requestID: "r"))
        let pcm = AudioFormat.pcm16(sampleRate: 22050)
        #expect(machine.handle(.speechChunk(turn: 1, seq: 0, audio: Data([1]), format: pcm))
            == [.send(.audioChunk(seq: 0, audio: Data([1]), format: pcm, final: false))])
        _ = machine.handle(.speechChunk(turn: 1, seq: 1, audio: Data([2]), format: pcm))
        #expect(machine.handle(.browserConnected) == [
            .send(.audioChunk(seq: 0, audio: Data([1]), format: pcm, final: false)),
            .send(.audioChunk(seq: 1, audio: Data([2]), format: pcm, final: false)),
        ])
        let ready = machine.handle(.speechReady(turn: 1, audio: Data([9]), format: .wav, chunks: 2, streamFormat: pcm))
        #expect(ready == [.send(.audioChunk(seq: 2, audio: Data(), format: pcm, final: true)), .send(.audio(Data([9]), .wav))])
    }

    @Test func nothingToSayGoesStraightToListening() {
        var machine = ConverseMachine()
        _ = machine.handle(.converse(message: "...", waitForResponse: true, requestID: nil))
        #expect(machine.handle(.speechReady(turn: 1, audio: Data(), format: .wav, chunks: 0)) == [.send(.listening)])
        guard case .listening = machine.phase else {
            Issue.record("expected listening, got \(machine.phase)")
            return
        }
    }

    @Test func chunksOfAnEndedTurnAreDropped() {
        var machine = ConverseMachine()
        _ = machine.handle(.converse(message: "Hi.", waitForResponse: true, requestID: nil))
        _ = machine.handle(.cancelled(reason: "bye"))
        #expect(machine.handle(.speechChunk(turn: 1, seq: 0, audio: Data([1]), format: .mp3)) == [])
    }
}

struct ConverseMachineNobodyListeningTests {
    @Test func aConverseWaitingForABrowserIsAnsweredAndTheSessionStaysUsable() {
        var machine = ConverseMachine()
        _ = machine.handle(.converse(message: "Hi.", waitForResponse: true, requestID: "r1"))
        _ = machine.handle(.speechReady(turn: 1, audio: Data([1]), format: .mp3, chunks: 0))
        #expect(machine.needsBrowser)
        let actions = machine.handle(.nobodyListening(for: .seconds(120)))
        guard case .reply(let text, let requestID) = actions.first else {
            Issue.record("expected a reply first, got \(actions)")
            return
        }
        #expect(text.hasPrefix("(nobody is listening: no browser has been connected to the hub for 2 min"))
        #expect(requestID == "r1")
        #expect(Array(actions.dropFirst()) == [.send(.done), .converseEnded])
        #expect(machine.isIdle)
        #expect(machine.handle(.converse(message: "Again.", waitForResponse: true, requestID: nil)).contains(.converseStarted))
    }

    @Test func itDoesNothingWhileSpeakingTranscribingOrIdle() {
        var machine = ConverseMachine()
        #expect(machine.handle(.nobodyListening(for: .seconds(1))) == [])
        _ = machine.handle(.converse(message: "Hi.", waitForResponse: true, requestID: nil))
        #expect(!machine.needsBrowser)
        #expect(machine.handle(.nobodyListening(for: .seconds(1))) == [])
    }

    @Test func bargeInDuringSynthesisStopsTheSpeechAndListens() {
        var machine = speakingMachine()
        _ = machine.handle(.speechChunk(turn: 1, seq: 0, audio: speech, format: .mp3))
        #expect(machine.handle(.interrupted) == [Action.stopSpeech(turn: 1), .send(.listening)])
        #expect(machine.phase == .listening(turn1))
        // The rest of the speech, should it still arrive, goes nowhere.
        #expect(machine.handle(.speechChunk(turn: 1, seq: 1, audio: speech, format: .mp3)).isEmpty)
        #expect(machine.handle(.speechReady(turn: 1, audio: speech, format: .mp3, chunks: 2)).isEmpty)
        #expect(machine.phase == .listening(turn1))
    }

    @Test func bargeInDuringPlaybackCountsAsPlaybackDone() {
        var machine = awaitingPlaybackMachine()
        #expect(machine.handle(.interrupted) == [Action.send(.listening)])
        #expect(machine.phase == .listening(turn1))
    }

    @Test func bargeInOnAMessageThatWantsNoAnswerEndsTheTurn() {
        var machine = speakingMachine(wait: false)
        #expect(machine.handle(.interrupted) == [
            Action.stopSpeech(turn: 1), .reply("Message delivered (the user interrupted it).", requestID: "req-1"), .send(.done), .converseEnded,
        ])
        #expect(machine.isIdle)
    }

    @Test func anInterruptWithNothingToInterruptIsIgnored() {
        var idle = ConverseMachine()
        #expect(idle.handle(.interrupted).isEmpty)
        var listening = listeningMachine()
        #expect(listening.handle(.interrupted).isEmpty)
        #expect(listening.phase == .listening(turn1))
    }
}

struct ConverseTakeoverWithoutIDsTests {
    @Test("an original bridge's new converse takes over without a reply it would take for the new call")
    func noRequestIDs() {
        var machine = ConverseMachine()
        _ = machine.handle(.converse(message: "Hello", waitForResponse: true, requestID: nil))
        let actions = machine.handle(.converse(message: "Again", waitForResponse: true, requestID: nil))
        #expect(!actions.contains { if case .reply = $0 { true } else { false } })
    }
}
