import Foundation
@testable import Hub
import PluginAPI
import Testing

/// Prompts in the session machine: the answer when the agent asks; typed into an idle agent at
/// once; held in order while it works and typed as one when its turn ends; kept (and reported)
/// when the agent ends first.
struct SessionPromptTests {
    typealias Action = SessionMachine.Action
    let start = Date(timeIntervalSince1970: 1_000_000)
    let bridge = UUID()

    func readySession(reportsTurns: Bool = true) -> SessionMachine {
        readyMachine(bridge: bridge, at: start) { $0.agentReportsTurns = reportsTurns }
    }

    func typed(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .typePrompt(let text) = $0 { text } else { nil } }
    }

    func states(_ actions: [Action]) -> [Prompt.State] {
        actions.compactMap { if case .announcePrompt(_, let state) = $0 { state } else { nil } }
    }

    @Test func anIdleAgentGetsThePromptAtOnceWrittenDownFirst() {
        var session = readySession()
        _ = session.handle(.agentReported(.turnEnded(lastMessage: "Done.")), now: start)
        let actions = session.handle(.prompt("Run the tests"), now: start)
        #expect(typed(actions) == ["Run the tests"] && states(actions) == [.delivered])
        #expect(actions.first == .writeTranscript(.user, "Run the tests", requestID: nil))
        #expect(session.activity.state == .working, "it works on it from now on")
        #expect(typed(session.handle(.prompt("And lint"), now: start)).isEmpty, "the second waits for the first turn to end")
    }

    @Test func promptsWhileTheAgentWorksWaitForItsTurnToEndInOrder() {
        var session = readySession()
        _ = session.handle(.agentReported(.toolStarted(tool: "Bash", detail: "npm test")), now: start)
        #expect(states(session.handle(.prompt("First"), now: start)) == [.queued])
        #expect(states(session.handle(.prompt("Second"), now: start)) == [.queued])
        #expect(session.shown.queuedPrompts.map(\.text) == ["First", "Second"])
        #expect(typed(session.handle(.agentReported(.toolFinished(tool: "Bash")), now: start)).isEmpty)
        let ended = session.handle(.agentReported(.turnEnded(lastMessage: nil)), now: start)
        #expect(typed(ended) == ["First\n\nSecond"] && states(ended) == [.delivered, .delivered])
        #expect(session.shown.queuedPrompts.isEmpty)
    }

    @Test func whenTheAgentAsksThePromptIsItsAnswer() {
        var session = readySession()
        _ = session.handle(.bridge(.converse(message: "Which file?", waitForResponse: true, requestID: "r1"), from: bridge), now: start)
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        let actions = session.handle(.prompt("parser.ts"), now: start)
        #expect(states(actions) == [.answered] && typed(actions).isEmpty)
        #expect(actions.contains(.deliver("parser.ts", requestID: "r1", to: bridge)))
        #expect(actions.contains(.writeTranscript(.user, "parser.ts", requestID: nil)))
        #expect(session.status == .ready)
    }

    @Test func aTypedYesAnswersAPermissionQuestion() {
        var session = readySession()
        _ = session.handle(.permissionAsked(PermissionRequest(id: "p1", tool: "Bash", detail: "ls", askedAt: start, suggestions: []), input: "{}"), now: start)
        let actions = session.handle(.prompt("yes"), now: start)
        #expect(actions.contains { if case .settlePermission(_, .decided(.allow, by: .voice)) = $0 { true } else { false } })
    }

    @Test func anAgentGivenItsStartupInputIsBusyUntilItReportsButOneGivenNothingIsIdle() {
        var configuration = SessionMachine.Configuration(startupInput: "Voice mode.", turnTagPrefix: "x")
        configuration.agentReportsTurns = true
        var busy = SessionMachine(configuration: configuration, label: "Sky", voice: "sky", speed: 1, now: start)
        _ = busy.handle(.agentSpawned, now: start)
        _ = busy.handle(.bridgeAttached(bridge, reportsHandshake: true), now: start)
        #expect(busy.handle(.bridge(.agentReady, from: bridge), now: start).contains(.typeStartupInput("Voice mode.")))
        #expect(typed(busy.handle(.prompt("Wait for it"), now: start)).isEmpty)
        #expect(typed(busy.handle(.agentReported(.turnEnded(lastMessage: nil)), now: start)) == ["Wait for it"])
        var fresh = readySession()
        #expect(typed(fresh.handle(.prompt("Go"), now: start)) == ["Go"], "no startup input, nothing reported: idle")
    }

    @Test func anAgentThatReportsNothingGetsPromptsAtOnce() {
        var session = readySession(reportsTurns: false)
        #expect(typed(session.handle(.prompt("One"), now: start)) == ["One"])
        #expect(typed(session.handle(.prompt("Two"), now: start)) == ["Two"])
    }

    @Test func promptsStillQueuedWhenTheAgentEndsAreReportedLost() {
        var session = readySession()
        _ = session.handle(.agentReported(.promptSubmitted), now: start)
        _ = session.handle(.prompt("Keep me"), now: start)
        let ended = session.handle(.end(reason: "the agent exited"), now: start)
        #expect(states(ended) == [.lost])
        #expect(ended.contains { if case .announceError(let text) = $0 { text.contains("the transcript keeps") } else { false } })
        #expect(states(session.handle(.prompt("Too late"), now: start)) == [.lost])
    }

    @Test func aRecordedPromptIsTranscribedThenTakenUnlessTheAgentAsks() {
        var session = readySession()
        _ = session.handle(.agentReported(.turnEnded(lastMessage: nil)), now: start)
        let recorded = session.handle(.promptRecording(Data([1, 2]), .webm), now: start)
        #expect(recorded == [.transcribePrompt(id: 1, Data([1, 2]), .webm, voice: "sky")])
        // Heard: routed (to the agent it names, else this one), the end word left out.
        #expect(session.handle(.promptHeard(id: 1, text: "Run it."), now: start) == [.routePrompt("Run it.")])
        _ = session.handle(.promptRecording(Data([1]), .webm, endWord: "over"), now: start)
        #expect(session.handle(.promptHeard(id: 2, text: "Run it, over."), now: start) == [.routePrompt("Run it")])
        let silence = session.handle(.promptHeard(id: 3, text: " . ."), now: start)
        #expect(typed(silence).isEmpty && silence.contains { if case .announceError = $0 { true } else { false } })
        // The agent asks: a recorded prompt is the answer, through the converse's own transcription.
        _ = session.handle(.bridge(.converse(message: "Sure?", waitForResponse: true, requestID: "r1"), from: bridge), now: start)
        let answer = session.handle(.promptRecording(Data([3]), .webm), now: start)
        #expect(answer.contains(.transcribe(turn: 1, Data([3]), .webm, voice: "sky")))
    }
}

/// A turn that ended without a converse: its reply is read out (in brief), once, when the
/// session says nothing else; a turn that conversed is not read out again.
struct SessionReplyTests {
    typealias Action = SessionMachine.Action
    let start = Date(timeIntervalSince1970: 1_000_000)
    let bridge = UUID()

    func readySession(_ speak: AgentProfile.SpeakReplies = .brief) -> SessionMachine {
        readyMachine(bridge: bridge, at: start) {
            $0.agentReportsTurns = true
            $0.speakReplies = speak
        }
    }

    func spoken(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .synthesize(_, let text, _, _) = $0 { text } else { nil } }
    }

    @Test func aTurnWithoutConverseIsReadOutInBriefAndWaitsForNoAnswer() {
        var session = readySession()
        _ = session.handle(.agentReported(.promptSubmitted), now: start)
        let long = "All four tests pass now. I fixed the off-by-one. I updated the docs. I bumped the version. Also cleaned up."
        let ended = session.handle(.agentReported(.turnEnded(lastMessage: long)), now: start)
        #expect(spoken(ended) == ["All four tests pass now. I fixed the off-by-one. I updated the docs. \(ReplyText.more)"])
        #expect(ended.contains(.broadcast(.assistantText("All four tests pass now. I fixed the off-by-one. I updated the docs. \(ReplyText.more)", kind: .report), turn: "x1")))
        #expect(session.activity.state == .idle, "reading a reply out is not asking")
        let said = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        #expect(said.contains(.broadcast(.done, turn: "x1")))
        #expect(!said.contains { if case .deliver = $0 { true } else { false } }, "no converse result for anyone")
        #expect(session.status == .ready)
    }

    @Test func aTurnThatConversedIsNotReadAgain() {
        var session = readySession()
        _ = session.handle(.bridge(.converse(message: "Bye!", waitForResponse: false, requestID: "r1"), from: bridge), now: start)
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        #expect(spoken(session.handle(.agentReported(.turnEnded(lastMessage: "Bye!")), now: start)).isEmpty)
        // The next turn, started by a prompt, did not converse: it is read out.
        _ = session.handle(.agentReported(.promptSubmitted), now: start)
        #expect(spoken(session.handle(.agentReported(.turnEnded(lastMessage: "Done.")), now: start)) == ["Done."])
    }

    @Test func offReadsNothingAndFullReadsAll() {
        var off = readySession(.off)
        #expect(spoken(off.handle(.agentReported(.turnEnded(lastMessage: "Done.")), now: start)).isEmpty)
        var full = readySession(.full)
        #expect(spoken(full.handle(.agentReported(.turnEnded(lastMessage: "One.\n\nTwo.")), now: start)) == ["One.\n\nTwo."])
    }

    @Test func theAgentsNextConverseCutsAReplyShort() {
        var session = readySession()
        _ = session.handle(.agentReported(.turnEnded(lastMessage: "Done.")), now: start)
        let next = session.handle(.bridge(.converse(message: "Anything else?", waitForResponse: true, requestID: "r2"), from: bridge), now: start)
        #expect(spoken(next) == ["Anything else?"] && next.contains(.stopEngines(turn: 1)))
    }
}
