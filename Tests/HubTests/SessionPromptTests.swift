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
        var configuration = SessionMachine.Configuration(turnTagPrefix: "x")
        configuration.agentReportsTurns = reportsTurns
        var session = SessionMachine(configuration: configuration, label: "Sky", voice: "sky", speed: 1, now: start)
        _ = session.handle(.agentSpawned, now: start)
        _ = session.handle(.bridgeAttached(bridge, reportsHandshake: true), now: start)
        _ = session.handle(.bridge(.agentReady, from: bridge), now: start)
        return session
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

    @Test func anAgentThatReportsNothingGetsPromptsAtOnce() {
        var session = readySession(reportsTurns: false)
        #expect(typed(session.handle(.prompt("One"), now: start)) == ["One"])
        #expect(typed(session.handle(.prompt("Two"), now: start)) == ["Two"])
    }

    @Test func promptsStillQueuedWhenTheAgentEndsAreReportedLost() {
        var session = readySession()
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
        #expect(typed(session.handle(.promptHeard(id: 1, text: "Run it."), now: start)) == ["Run it."])
        let silence = session.handle(.promptHeard(id: 2, text: " . ."), now: start)
        #expect(typed(silence).isEmpty && silence.contains { if case .announceError = $0 { true } else { false } })
        // The agent asks: a recorded prompt is the answer, through the converse's own transcription.
        _ = session.handle(.bridge(.converse(message: "Sure?", waitForResponse: true, requestID: "r1"), from: bridge), now: start)
        let answer = session.handle(.promptRecording(Data([3]), .webm), now: start)
        #expect(answer.contains(.transcribe(turn: 1, Data([3]), .webm, voice: "sky")))
    }
}
