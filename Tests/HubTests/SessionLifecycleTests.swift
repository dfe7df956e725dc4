@testable import Hub
import Testing

/// A lifecycle driven into `status` through its ordinary events.
private func makeLifecycle(in status: SessionStatus) -> SessionLifecycle {
    var lifecycle = SessionLifecycle()
    switch status {
    case .starting:
        break
    case .ready:
        _ = lifecycle.handle(.bridgeConnected)
    case .active:
        _ = lifecycle.handle(.bridgeConnected)
        _ = lifecycle.handle(.converseStarted)
    case .needsYou:
        _ = lifecycle.handle(.needsUser)
    case .dead:
        _ = lifecycle.handle(.ended)
    }
    return lifecycle
}

struct SessionLifecycleTests {
    @Test func aDialogForTheUserComesAndGoesBeforeReady() {
        var lifecycle = SessionLifecycle()
        #expect(lifecycle.handle(.needsUser) == .needsYou)
        #expect(lifecycle.handle(.userAnswered) == .starting)
        #expect(lifecycle.handle(.needsUser) == .needsYou)
        #expect(lifecycle.handle(.bridgeConnected) == .ready, "answered in the terminal: the agent got ready")
        #expect(lifecycle.handle(.needsUser) == nil, "a ready session is past its start-up dialogs")
    }

    @Test func startsInStarting() {
        #expect(SessionLifecycle().status == .starting)
    }

    @Test func bridgeConnectingMakesAStartingSessionReady() {
        var lifecycle = SessionLifecycle()
        let change = lifecycle.handle(.bridgeConnected)
        #expect(change == .ready)
        #expect(lifecycle.status == .ready)
    }

    @Test func converseMakesAReadySessionActiveThenReadyAgain() {
        var lifecycle = makeLifecycle(in: .ready)
        let started = lifecycle.handle(.converseStarted)
        #expect(started == .active)
        #expect(lifecycle.status == .active)
        let ended = lifecycle.handle(.converseEnded)
        #expect(ended == .ready)
        #expect(lifecycle.status == .ready)
    }

    @Test(arguments: [SessionStatus.starting, .ready, .active])
    func endingKillsTheSessionFromAnyLiveState(_ status: SessionStatus) {
        var lifecycle = makeLifecycle(in: status)
        #expect(lifecycle.status == status)
        let change = lifecycle.handle(.ended)
        #expect(change == .dead)
        #expect(lifecycle.status == .dead)
    }

    @Test(arguments: [SessionLifecycle.Event.bridgeConnected, .converseStarted, .converseEnded, .ended])
    func deadIsTerminal(_ event: SessionLifecycle.Event) {
        var lifecycle = makeLifecycle(in: .dead)
        let change = lifecycle.handle(event)
        #expect(change == nil)
        #expect(lifecycle.status == .dead)
    }

    @Test func repeatedBridgeConnectionReportsNoChange() {
        var lifecycle = makeLifecycle(in: .ready)
        let change = lifecycle.handle(.bridgeConnected)
        #expect(change == nil)
        #expect(lifecycle.status == .ready)
    }

    @Test func repeatedConverseStartReportsNoChange() {
        var lifecycle = makeLifecycle(in: .active)
        let change = lifecycle.handle(.converseStarted)
        #expect(change == nil)
        #expect(lifecycle.status == .active)
    }

    @Test func converseEndWhileReadyReportsNoChange() {
        var lifecycle = makeLifecycle(in: .ready)
        let change = lifecycle.handle(.converseEnded)
        #expect(change == nil)
        #expect(lifecycle.status == .ready)
    }

    @Test func bridgeReconnectingDuringAConverseKeepsTheSessionActive() {
        var lifecycle = makeLifecycle(in: .active)
        let change = lifecycle.handle(.bridgeConnected)
        #expect(change == nil)
        #expect(lifecycle.status == .active)
    }
}
