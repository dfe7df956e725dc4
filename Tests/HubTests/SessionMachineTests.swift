import Foundation
@testable import Hub
import PluginAPI
import Testing

/// The session's decisions without sockets, processes or clocks: each test replays a sequence
/// of events (many of them races the end-to-end suites once found) and checks the actions.
struct SessionMachineTests {
    typealias Action = SessionMachine.Action
    let start = Date(timeIntervalSince1970: 1_000_000)
    let bridgeA = UUID(), bridgeB = UUID(), tab = UUID()
    let pcm = AudioFormat.pcm16(sampleRate: 22050)

    func machine(_ configure: (inout SessionMachine.Configuration) -> Void = { _ in }) -> SessionMachine {
        var configuration = SessionMachine.Configuration(turnTagPrefix: "x")
        configure(&configuration)
        return SessionMachine(configuration: configuration, label: "Sky", voice: "sky", speed: 1, now: start)
    }

    /// A session whose agent started and whose bridge (ours: it reports the handshake) is ready.
    func readySession(_ configure: (inout SessionMachine.Configuration) -> Void = { _ in }) -> SessionMachine {
        var session = machine(configure)
        _ = session.handle(.agentSpawned, now: start)
        _ = session.handle(.bridgeAttached(bridgeA, reportsHandshake: true), now: start)
        _ = session.handle(.bridge(.agentReady, from: bridgeA), now: start)
        return session
    }

    func converse(_ text: String, wait: Bool = true, id: String? = "r1", from bridge: UUID? = nil) -> SessionMachine.Event {
        .bridge(.converse(message: text, waitForResponse: wait, requestID: id), from: bridge ?? bridgeA)
    }

    func replies(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .deliver(let text, _, _) = $0 { text } else if case .answer(.converseResult(let text, _), _) = $0 { text } else { nil } }
    }

    struct Announced: Equatable {
        var status: SessionStatus
        var update: Bool
        var bridgeConnected: Bool
    }

    func announced(_ actions: [Action]) -> [Announced] {
        actions.compactMap {
            if case .announce(let shown, let update) = $0 { Announced(status: shown.status, update: update, bridgeConnected: shown.bridgeConnected) } else { nil }
        }
    }

    // MARK: Start-up and readiness

    @Test func ourBridgeMakesTheSessionReadyOnlyWhenTheAgentFinishedItsHandshake() {
        var session = machine { $0.startupInput = "Use voice mode." }
        #expect(session.handle(.agentSpawned, now: start) == [.watchTerminal])
        let attached = session.handle(.bridgeAttached(bridgeA, reportsHandshake: true), now: start)
        #expect(announced(attached) == [.init(status: .starting, update: true, bridgeConnected: true)])
        #expect(session.status == .starting && session.readiness == nil)
        let ready = session.handle(.bridge(.agentReady, from: bridgeA), now: start)
        #expect(session.status == .ready)
        #expect(ready.contains(.stopTerminalWatch) && ready.contains(.resolveReadiness(.ready)))
        #expect(ready.last == .announceActivity(SessionActivity(state: .working, since: start)))
        #expect(ready.dropLast().last == .typeStartupInput("Use voice mode."))
    }

    @Test func anOriginalBridgeIsReadyOnConnect() {
        var session = machine()
        _ = session.handle(.agentSpawned, now: start)
        let actions = session.handle(.bridgeAttached(bridgeA, reportsHandshake: false), now: start)
        #expect(actions.contains(.resolveReadiness(.ready)))
        #expect(session.status == .ready)
    }

    @Test func theStartupInputIsTypedOnceWhicheverOfAgentAndBridgeComesFirst() {
        // A slow hub: the bridge is ready before the spawner handed over the agent.
        var session = machine { $0.startupInput = "go" }
        let ready = session.handle(.bridgeAttached(bridgeA, reportsHandshake: false), now: start)
        #expect(!ready.contains(.typeStartupInput("go")), "no agent to type into yet")
        #expect(session.handle(.agentSpawned, now: start) == [.typeStartupInput("go")])
        _ = session.handle(.bridgeAttached(bridgeB, reportsHandshake: false), now: start)
        #expect(session.handle(.agentSpawned, now: start) == [])
    }

    @Test func anAdoptedAgentGetsNoStartupInputAndNoDialogWatch() {
        var session = machine { $0.adopted = true; $0.startupInput = "go"; $0.dialogs = [.init(match: "trust", answer: .keys([.enter]))] }
        #expect(session.handle(.agentSpawned, now: start) == [.watchTerminal])
        #expect(session.handle(.screen("Do you trust this folder?", at: .now), now: start) == [])
        let ready = session.handle(.bridgeAttached(bridgeA, reportsHandshake: false), now: start)
        #expect(!ready.contains { if case .typeStartupInput = $0 { true } else { false } })
    }

    /// Found under load: a converse that arrived with the handshake announced the session only
    /// as it was after the whole event (active), and a page waiting for "ready" never saw it.
    @Test func eachAnnouncementShowsTheSessionAsItWasAtThatStep() {
        var session = machine()
        _ = session.handle(.agentSpawned, now: start)
        _ = session.handle(.bridgeAttached(bridgeA, reportsHandshake: true), now: start)
        let actions = session.handle(converse("Hello"), now: start)
        #expect(announced(actions) == [.init(status: .ready, update: false, bridgeConnected: true),
                                       .init(status: .active, update: true, bridgeConnected: true)])
        let ended = session.handle(.end(reason: "bye"), now: start)
        #expect(announced(ended).map(\.status) == [.ready, .dead], "the converse's end, then the session's")
    }

    @Test func anAgentThatConversesFirstNeedsNoStartupInput() {
        var session = machine { $0.startupInput = "go" }
        _ = session.handle(.agentSpawned, now: start)
        _ = session.handle(.bridgeAttached(bridgeA, reportsHandshake: true), now: start)
        let actions = session.handle(converse("Hello"), now: start)
        #expect(actions.contains(.resolveReadiness(.ready)))
        #expect(!actions.contains(.typeStartupInput("go")))
        #expect(session.status == .active)
    }

    @Test func theReadyTimerSparesASessionThatWaitsForTheUser() throws {
        var session = machine { $0.dialogs = [] }
        _ = session.handle(.agentSpawned, now: start)
        let t0 = ContinuousClock.now
        _ = session.handle(.screen("Do you want to proceed?\n❯ 1. Yes\n  2. No", at: t0), now: start)
        let asked = session.handle(.dialogTick(at: t0 + .seconds(4)), now: start)
        #expect(announced(asked) == [.init(status: .needsYou, update: true, bridgeConnected: false)])
        #expect(session.status == .needsYou && session.attention != nil)
        #expect(session.handle(.readyTimerFired, now: start) == [])
        _ = session.handle(.screen("Welcome", at: t0 + .seconds(5)), now: start)
        #expect(session.status == .starting && session.attention == nil)
        #expect(session.handle(.readyTimerFired, now: start) == [.resolveReadiness(.timedOut)])
        #expect(session.handle(.readyTimerFired, now: start) == [], "readiness is decided once")
    }

    @Test func aKnownDialogIsAnsweredOnTheSettledScreen() {
        var session = machine { $0.dialogs = [.init(match: "trust this folder", answer: .keys([.enter]))] }
        _ = session.handle(.agentSpawned, now: start)
        let t0 = ContinuousClock.now
        #expect(session.handle(.screen("Do you trust this folder?", at: t0), now: start) == [])
        let answered = session.handle(.dialogTick(at: t0 + .seconds(1)), now: start)
        #expect(answered.contains(.pressKeys([.enter])))
    }

    @Test func anAgentThatExitsBeforeItIsReadyIsReported() {
        var session = machine()
        _ = session.handle(.agentSpawned, now: start)
        #expect(session.handle(.terminalClosed(agentAlive: true), now: start) == [])
        #expect(session.handle(.terminalClosed(agentAlive: false), now: start) == [.resolveReadiness(.agentExited)])
    }

    // MARK: Bridge

    @Test func aReconnectingBridgeReattachesToTheConverseInFlight() {
        var session = readySession()
        let first = session.handle(converse("Question?"), now: start)
        #expect(first.contains { if case .synthesize = $0 { true } else { false } })
        _ = session.handle(.bridgeDetached(bridgeA), now: start)
        _ = session.handle(.bridgeAttached(bridgeB, reportsHandshake: true), now: start)
        let again = session.handle(converse("Question?", from: bridgeB), now: start)
        #expect(again == [.log(.info, "bridge re-attached to the converse in flight")], "no second turn")
        #expect(session.converseRequestID == "r1")
    }

    @Test func aReplyForABridgeThatWentIsHandedOverWhenItAsksAgain() {
        var session = readySession()
        _ = session.handle(converse("Q", wait: false), now: start)
        _ = session.handle(.bridgeDetached(bridgeA), now: start)
        let ended = session.handle(.speechJoined(turn: 1, audio: Data(), format: .wav), now: start)
        #expect(ended.contains(.deliver("Message delivered.", requestID: "r1", to: nil)))
        _ = session.handle(.replyUndelivered("Message delivered.", requestID: "r1"), now: start)
        _ = session.handle(.bridgeAttached(bridgeB, reportsHandshake: true), now: start)
        let asked = session.handle(converse("Q", wait: false, from: bridgeB), now: start)
        #expect(asked == [.answer(.converseResult(text: "Message delivered.", requestID: "r1"), to: bridgeB)])
        #expect(session.handle(converse("Q", wait: false, id: "r2", from: bridgeB), now: start)
            .contains(.broadcast(.assistantText("Q", kind: .message), turn: "x2")), "handed over once; the next call is a new turn")
    }

    @Test func aReplyWithoutRequestIDThatCannotBeDeliveredIsReportedLost() {
        var session = readySession()
        #expect(session.handle(.replyUndelivered("hi", requestID: nil), now: start)
            == [.log(.warning, "converse result lost: the bridge is gone and sent no request id")])
    }

    @Test func aNewBridgeReplacesTheOldAndTheOldOnesLateGoodbyeChangesNothing() {
        var session = readySession()
        let attached = session.handle(.bridgeAttached(bridgeB, reportsHandshake: true), now: start)
        #expect(attached.first == .closeBridge(bridgeA))
        #expect(session.handle(.bridgeDetached(bridgeA), now: start) == [])
        #expect(session.bridge == bridgeB)
        #expect(session.handle(.bridge(.agentReady, from: bridgeA), now: start) == [], "a replaced bridge speaks for nobody")
    }

    @Test func aMessageOverTheLimitIsRefusedWithoutSpeaking() {
        var session = readySession { $0.maxSpeechCharacters = 5 }
        let actions = session.handle(converse("too long"), now: start)
        #expect(replies(actions) == ["Error: the message is 8 characters long; the limit is 5."])
        #expect(session.status == .ready)
    }

    @Test func aStatusCheckIsAnsweredToTheBridgeThatAsked() {
        var session = readySession()
        #expect(session.handle(.bridge(.statusCheck, from: bridgeA), now: start) == [.answerStatusCheck(to: bridgeA)])
    }

    // MARK: Browsers and turns

    @Test func aLateBrowserMessageForAnEarlierTurnIsDropped() {
        var session = readySession()
        _ = session.handle(converse("one", id: "r1"), now: start)
        _ = session.handle(converse("two", id: "r2"), now: start)
        #expect(session.turnTag == "x2")
        let late = session.handle(.playbackDone(turn: "x1"), now: start)
        #expect(late == [.log(.info, "dropped a browser message (playback_done) for an earlier turn x1")])
        _ = session.handle(.speechJoined(turn: 2, audio: Data([1]), format: .mp3), now: start)
        #expect(session.handle(.playbackDone(turn: "x2"), now: start) == [.broadcast(.listening, turn: "x2")])
    }

    @Test func aStreamingTabThatReconnectsIsToldOnlyAboutATurnStillSpoken() {
        var session = readySession()
        _ = session.handle(converse("Q"), now: start)
        _ = session.handle(.speechPiece(turn: 1, .audio(Data([1, 2]), pcm, segment: 0)), now: start)
        #expect(session.handle(.browserConnected(tab, streamedOnly: true), now: start)
            == [.send(.audioChunk(seq: 0, audio: Data([1, 2]), format: pcm, final: false), turn: "x1", to: tab)])
        _ = session.handle(.speechEnded(turn: 1), now: start)
        _ = session.handle(.speechJoined(turn: 1, audio: Data([9]), format: .wav), now: start)
        #expect(session.handle(.browserConnected(tab, streamedOnly: true), now: start) == [])
        #expect(session.handle(.browserConnected(tab, streamedOnly: false), now: start)
            == [.send(.pendingAudio(Data([9]), .wav), turn: "x1", to: tab)])
    }

    @Test func theTurnsAudioIsStreamedAsItComesAndJoinedWithoutTheRestartedSegment() {
        var session = readySession()
        _ = session.handle(converse("One. Two."), now: start)
        let a = session.handle(.speechPiece(turn: 1, .audio(Data("one ".utf8), .mp3, segment: 0)), now: start)
        #expect(a == [.broadcast(.audioChunk(seq: 0, audio: Data("one ".utf8), format: .mp3, final: false), turn: "x1")])
        _ = session.handle(.speechPiece(turn: 1, .audio(Data("tw".utf8), .mp3, segment: 1)), now: start)
        #expect(session.handle(.speechPiece(turn: 1, .segmentRestarted(segment: 1)), now: start) == [])
        _ = session.handle(.speechPiece(turn: 1, .audio(Data("two".utf8), pcm, segment: 1)), now: start)
        #expect(session.handle(.speechPiece(turn: 7, .audio(Data("other".utf8), pcm, segment: 0)), now: start) == [],
                "a piece of another turn")
        let join = session.handle(.speechEnded(turn: 1), now: start)
        guard case .joinSpeech(1, let joiner) = join.first else { Issue.record("no join: \(join)"); return }
        #expect(joiner.chunks == 3 && joiner.isMixed)
        let ready = session.handle(.speechJoined(turn: 1, audio: Data("all".utf8), format: .wav), now: start)
        #expect(ready.first == .broadcast(.audioChunk(seq: 3, audio: Data(), format: pcm, final: true), turn: "x1"))
        #expect(ready.contains(.broadcast(.audio(Data("all".utf8), .wav), turn: "x1")))
    }

    @Test func theWholeTurnReachesTranscriptBrowsersAndAgentInThatOrder() {
        var session = readySession()
        let asked = session.handle(converse("Ready?"), now: start)
        #expect(asked.firstIndex(of: .writeTranscript(.assistant, "Ready?", requestID: "r1"))!
            < asked.firstIndex(of: .broadcast(.assistantText("Ready?"), turn: "x1"))!)
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        _ = session.handle(.playbackDone(turn: nil), now: start)
        let recorded = session.handle(.recording(Data([1]), .webm, turn: "x1"), now: start)
        #expect(recorded.contains(.transcribe(turn: 1, Data([1]), .webm, voice: "sky")))
        let answered = session.handle(.transcribed(turn: 1, text: "yes"), now: start)
        let transcriptAt = answered.firstIndex(of: .writeTranscript(.user, "yes", requestID: nil))
        let deliveredAt = answered.firstIndex(of: .deliver("yes", requestID: "r1", to: bridgeA))
        #expect(transcriptAt != nil && deliveredAt != nil && transcriptAt! < deliveredAt!)
        #expect(session.status == .ready)
    }

    @Test func aConverseResentAfterARestartIsNotWrittenTwice() {
        var session = readySession { $0.lastWrittenRequestID = "r1" }
        let actions = session.handle(converse("Again?"), now: start)
        #expect(!actions.contains { if case .writeTranscript = $0 { true } else { false } })
        #expect(actions.contains(.broadcast(.assistantText("Again?"), turn: "x1")))
    }

    @Test func aNewVoiceRenamesOnlyALabelThatWasTheOldVoicesName() {
        var session = readySession()
        let chosen = session.handle(.voiceChosen(id: "adam", label: "Adam", previousVoiceLabel: "Sky"), now: start)
        #expect(chosen.first == .saveRecord)
        guard case .announce(let shown, update: false) = chosen.last else { Issue.record("\(chosen)"); return }
        #expect(shown.voice == "adam" && shown.label == "Adam")
        #expect(session.label == "Adam" && session.voice == "adam")
        _ = session.handle(.voiceChosen(id: "sky", label: "Sky", previousVoiceLabel: "Bella"), now: start)
        #expect(session.label == "Adam")
    }

    // MARK: Clocks

    @Test func aConverseNobodyCanHearIsAnsweredAfterTheTimeout() {
        var session = readySession { $0.noListenerTimeout = .seconds(60) }
        _ = session.handle(converse("Anyone?"), now: start)
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        #expect(session.handle(.healthCheck(browsers: 0), now: start).last == .checkAgentAlive)
        #expect(replies(session.handle(.healthCheck(browsers: 0), now: start + 59)).isEmpty)
        // A browser that came and went starts the clock again.
        _ = session.handle(.healthCheck(browsers: 1), now: start + 59)
        #expect(replies(session.handle(.healthCheck(browsers: 0), now: start + 100)).isEmpty)
        let answered = replies(session.handle(.healthCheck(browsers: 0), now: start + 160))
        #expect(answered.count == 1 && answered[0].hasPrefix("(nobody is listening"))
        #expect(session.status == .ready)
    }

    @Test func aReadySessionGoesWhenItsAgentDiedOrItSatIdle() {
        var session = readySession { $0.idleTimeout = .seconds(600) }
        #expect(session.handle(.agentAlive(true), now: start + 10) == [])
        #expect(session.handle(.agentAlive(false), now: start + 10) == [.remove(reason: "the agent exited")])
        #expect(session.handle(.agentAlive(true), now: start + 601) == [.remove(reason: "idle for 600.0 seconds")])
        _ = session.handle(converse("Still there?"), now: start + 601)
        #expect(session.handle(.agentAlive(true), now: start + 5000) == [], "a converse waiting for the user keeps it")
    }

    @Test func aStartingSessionIsNotCheckedForItsAgent() {
        var session = machine()
        _ = session.handle(.agentSpawned, now: start)
        #expect(session.handle(.healthCheck(browsers: 0), now: start + 10_000) == [])
        #expect(session.handle(.agentAlive(false), now: start + 10_000) == [])
    }

    // MARK: End

    @Test func endingAnswersTheWaitingConverseThenClosesAndEndsEverything() {
        var session = readySession()
        _ = session.handle(converse("Q"), now: start)
        let actions = session.handle(.end(reason: "deleted"), now: start)
        #expect(Array(actions.prefix(2)) == [.stopTerminalWatch, .stopEngines(turn: nil)])
        #expect(replies(actions) == ["Error: deleted"])
        #expect(actions.suffix(4) == [.closeBridge(bridgeA), .terminateAgent, .removeWorkspace, .announceActivity(SessionActivity(state: .dead, since: start))])
        #expect(session.status == .dead)
        #expect(replies(session.handle(converse("Late", id: "r9"), now: start)) == ["Error: the session is ending."])
        #expect(session.handle(.bridgeAttached(bridgeB, reportsHandshake: true), now: start) == [.closeBridge(bridgeB)])
    }

    @Test func anAgentSpawnedAfterTheSessionEndedIsEndedToo() {
        var session = machine()
        let ended = session.handle(.end(reason: "deleted"), now: start)
        #expect(ended.contains(.resolveReadiness(.terminated)))
        #expect(session.handle(.agentSpawned, now: start) == [.terminateAgent])
    }

    @Test func speechThatArrivesAfterTheEndIsDropped() {
        var session = readySession()
        _ = session.handle(converse("Q"), now: start)
        _ = session.handle(.end(reason: "deleted"), now: start)
        #expect(session.handle(.speechPiece(turn: 1, .audio(Data([1]), pcm, segment: 0)), now: start) == [])
        #expect(session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start) == [])
    }

    // MARK: Activity

    func activities(_ actions: [Action]) -> [SessionActivity.State] {
        actions.compactMap { if case .announceActivity(let activity) = $0 { activity.state } else { nil } }
    }

    @Test func theActivityFollowsWhatTheHubKnowsThenWhatTheAgentReports() {
        var session = machine()
        #expect(session.activity.state == .starting)
        _ = session.handle(.agentSpawned, now: start)
        _ = session.handle(.bridgeAttached(bridgeA, reportsHandshake: true), now: start)
        #expect(activities(session.handle(.bridge(.agentReady, from: bridgeA), now: start + 1)) == [.working],
                "ready and saying nothing: at work")
        #expect(activities(session.handle(.agentReported(.toolStarted(tool: "Bash", detail: "npm test")), now: start + 2)) == [.tool])
        #expect(session.activity.tool == "Bash" && session.activity.detail == "npm test" && session.activity.since == start + 2)
        #expect(activities(session.handle(.agentReported(.toolFinished(tool: "Bash")), now: start + 3)) == [.working])
        #expect(activities(session.handle(converse("Tests pass. Ship it?"), now: start + 4)) == [.asking],
                "a converse waiting for the user comes before what the hooks said")
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start + 5)
        _ = session.handle(.playbackDone(turn: nil), now: start + 5)
        _ = session.handle(.recording(Data("yes".utf8), .webm, turn: nil), now: start + 6)
        #expect(activities(session.handle(.transcribed(turn: 1, text: "yes"), now: start + 7)) == [.working])
        #expect(activities(session.handle(.agentReported(.turnEnded(lastMessage: "Shipped.")), now: start + 8)) == [.idle])
        #expect(session.lastAgentMessage == "Shipped.")
        #expect(activities(session.handle(.agentReported(.notification(kind: "permission_prompt", message: "Claude needs your permission to use Bash")), now: start + 9)) == [.needsPermission])
        #expect(session.activity.detail == "Claude needs your permission to use Bash")
        #expect(activities(session.handle(.agentReported(.compacting), now: start + 10)) == [.compacting])
        #expect(activities(session.handle(.end(reason: "deleted"), now: start + 11)) == [.dead])
    }

    @Test func theActivityIsAnnouncedOnlyWhenItChangesAndKeepsItsStart() {
        var session = readySession()
        let first = session.handle(.agentReported(.toolStarted(tool: "Edit", detail: "src/a.ts")), now: start + 1)
        #expect(activities(first) == [.tool])
        #expect(activities(session.handle(.agentReported(.toolStarted(tool: "Edit", detail: "src/a.ts")), now: start + 2)).isEmpty)
        #expect(session.activity.since == start + 1)
        #expect(activities(session.handle(.agentReported(.toolStarted(tool: "Edit", detail: "src/b.ts")), now: start + 3)) == [.tool])
    }

    @Test func aDialogOnTheTerminalIsNeedsYouWithItsReason() {
        var session = machine()
        _ = session.handle(.agentSpawned, now: start)
        let t0 = ContinuousClock.now
        _ = session.handle(.screen("Do you want to proceed?\n❯ 1. Yes\n  2. No", at: t0), now: start)
        let asked = session.handle(.dialogTick(at: t0 + .seconds(4)), now: start + 4)
        #expect(activities(asked) == [.needsYou])
        #expect(session.activity.detail == "The agent is asking something the hub has no answer for.")
        guard case .announce(let shown, _)? = asked.first(where: { if case .announce = $0 { true } else { false } }) else {
            Issue.record("no announcement"); return
        }
        #expect(shown.activity?.state == .needsYou, "the status announcement already shows it")
    }
}

