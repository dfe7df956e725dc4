import Foundation
@testable import Hub
import PluginAPI
import Testing
import WireJSON

/// Permission requests in the session machine: pending, asked aloud when the floor is free,
/// answered by voice or tap, timed out, withdrawn when the agent moves on, denied at the end.
struct SessionPermissionTests {
    typealias Action = SessionMachine.Action
    let start = Date(timeIntervalSince1970: 1_000_000)
    let bridge = UUID()
    let input = #"{"command":"npm test"}"#

    func readySession() -> SessionMachine { readyMachine(bridge: bridge, at: start) }

    func request(_ id: String = "p1", suggestions: [JSONValue] = []) -> PermissionRequest {
        PermissionRequest(id: id, tool: "Bash", detail: "npm test", askedAt: start, suggestions: suggestions)
    }

    func outcomes(_ actions: [Action]) -> [PermissionOutcome] {
        actions.compactMap { if case .settlePermission(_, let outcome) = $0 { outcome } else { nil } }
    }

    func spoken(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .synthesize(_, let text, _, _) = $0 { text } else { nil } }
    }

    /// Plays the question and records an answer the STT turns into `words`.
    func answer(_ session: inout SessionMachine, turn: UInt64, _ words: String) -> [Action] {
        _ = session.handle(.speechJoined(turn: turn, audio: Data([1]), format: .wav), now: start)
        _ = session.handle(.playbackDone(turn: nil), now: start)
        _ = session.handle(.recording(Data([1]), .webm, turn: nil), now: start)
        return session.handle(.transcribed(turn: turn, text: words), now: start)
    }

    @Test func aRequestIsAnnouncedAskedAloudAndAllowedByASpokenYes() {
        var session = readySession()
        let asked = session.handle(.permissionAsked(request(), input: input), now: start)
        #expect(asked.contains(.announcePermission(request(), timeout: .seconds(120))))
        #expect(spoken(asked) == ["Sky wants to run npm test. Allow?"])
        #expect(session.activity.state == .needsPermission && session.activity.detail == "npm test")
        #expect(session.shown.permissions.map(\.id) == ["p1"])
        let answered = answer(&session, turn: 1, "Yes, go ahead.")
        #expect(outcomes(answered) == [.decided(.allow, by: .voice)])
        #expect(answered.contains(.writeTranscript(.user, "Yes, go ahead.", requestID: nil)))
        #expect(!answered.contains { if case .deliver = $0 { true } else { false } }, "the answer is not the agent's")
        #expect(session.shown.permissions.isEmpty && session.activity.state == .working)
    }

    @Test func anUnclearAnswerAsksAgainThenGivesUpAndTheCardStays() {
        var session = readySession()
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        let first = answer(&session, turn: 1, "What is it doing?")
        #expect(outcomes(first).isEmpty)
        #expect(spoken(first) == ["Please say yes or no. Sky wants to run npm test. Allow?"])
        #expect(spoken(answer(&session, turn: 2, "Hmm.")).count == 1)
        #expect(spoken(answer(&session, turn: 3, "Maybe.")).isEmpty, "asked \(PermissionDesk.maxAsks) times")
        #expect(session.shown.permissions.count == 1)
        #expect(outcomes(session.handle(.permissionDecided(id: "p1", .deny, by: .user), now: start)) == [.decided(.deny, by: .user)])
    }

    @Test func aTapWhileTheQuestionIsSpokenStopsItAndAnswersTheHook() {
        var session = readySession()
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        let tapped = session.handle(.permissionDecided(id: "p1", .allowSession, by: .user), now: start)
        #expect(outcomes(tapped) == [.decided(.allowSession, by: .user)])
        #expect(tapped.contains(.stopEngines(turn: 1)) && tapped.contains(.broadcast(.done, turn: "x1")))
        #expect(session.status == .ready)
        // A second decision finds nothing pending.
        #expect(session.permissions.lookup("p1") == .settled && session.permissions.lookup("p9") == .unknown)
        #expect(outcomes(session.handle(.permissionDecided(id: "p1", .deny, by: .user), now: start)).isEmpty)
    }

    @Test func theAgentsConverseGoesFirstAndTheQuestionIsAskedAfterIt() {
        var session = readySession()
        _ = session.handle(.bridge(.converse(message: "Tests next?", waitForResponse: true, requestID: "r1"), from: bridge), now: start)
        let asked = session.handle(.permissionAsked(request(), input: input), now: start)
        #expect(spoken(asked).isEmpty, "the floor is the agent's")
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        _ = session.handle(.playbackDone(turn: nil), now: start)
        _ = session.handle(.recording(Data([1]), .webm, turn: nil), now: start)
        let answered = session.handle(.transcribed(turn: 1, text: "Yes."), now: start)
        #expect(answered.contains(.deliver("Yes.", requestID: "r1", to: bridge)))
        #expect(outcomes(answered).isEmpty, "the agent's answer is not the permission's")
        #expect(spoken(answered) == ["Sky wants to run npm test. Allow?"])
    }

    @Test func aConverseDuringTheQuestionTakesTheFloorAndTheQuestionComesBack() {
        var session = readySession()
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        _ = session.handle(.speechJoined(turn: 1, audio: Data([1]), format: .wav), now: start)
        _ = session.handle(.playbackDone(turn: nil), now: start)
        let taken = session.handle(.bridge(.converse(message: "Also, lunch?", waitForResponse: true, requestID: "r1"), from: bridge), now: start)
        #expect(spoken(taken) == ["Also, lunch?"])
        _ = session.handle(.speechJoined(turn: 2, audio: Data([1]), format: .wav), now: start)
        _ = session.handle(.playbackDone(turn: nil), now: start)
        _ = session.handle(.recording(Data([1]), .webm, turn: nil), now: start)
        let answered = session.handle(.transcribed(turn: 2, text: "Yes."), now: start)
        #expect(answered.contains(.deliver("Yes.", requestID: "r1", to: bridge)) && outcomes(answered).isEmpty)
        #expect(spoken(answered) == ["Sky wants to run npm test. Allow?"], "asked again, as if for the first time")
    }

    @Test func unansweredRequestsAreDeniedAtTheTimeout() {
        var session = readySession()
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        let timedOut = session.handle(.permissionTimedOut(id: "p1"), now: start + 120)
        #expect(outcomes(timedOut) == [.timedOut(after: .seconds(120))])
        #expect(outcomes(session.handle(.permissionTimedOut(id: "p1"), now: start + 121)).isEmpty)
    }

    @Test func theCallFinishingInTheTerminalWithdrawsOnlyItsOwnRequest() {
        var session = readySession()
        _ = session.handle(.agentReported(.toolStarted(tool: "Bash", detail: "npm test", call: ToolCall(id: "t1", input: input))), now: start)
        _ = session.handle(.agentReported(.toolStarted(tool: "Read", detail: "a.ts", call: ToolCall(id: "t2", input: "{}"))), now: start)
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        #expect(outcomes(session.handle(.agentReported(.toolFinished(tool: "Read", callID: "t2")), now: start)).isEmpty)
        #expect(outcomes(session.handle(.agentReported(.toolFinished(tool: "Bash", callID: "t1")), now: start)) == [.withdrawn])
        _ = session.handle(.permissionAsked(request("p2"), input: input), now: start)
        #expect(outcomes(session.handle(.agentReported(.turnEnded(lastMessage: nil)), now: start)) == [.withdrawn])
    }

    @Test func theEndDeniesWhatIsPendingAndARequestAfterTheEndIsDeniedAtOnce() {
        var session = readySession()
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        let ended = session.handle(.end(reason: "deleted"), now: start)
        #expect(outcomes(ended) == [.sessionEnded])
        #expect(outcomes(session.handle(.permissionAsked(request("p2"), input: input), now: start)) == [.sessionEnded])
    }

    @Test func allowForTheSessionBySpeechNeedsTheAgentsSuggestions() {
        var session = readySession()
        _ = session.handle(.permissionAsked(request(), input: input), now: start)
        #expect(outcomes(answer(&session, turn: 1, "Yes, always.")) == [.decided(.allow, by: .voice)])
        let suggestion: JSONValue = .object(["type": .string("addRules")])
        _ = session.handle(.permissionAsked(request("p2", suggestions: [suggestion]), input: input), now: start)
        #expect(outcomes(answer(&session, turn: 2, "Yes, always.")) == [.decided(.allowSession, by: .voice)])
    }
}
