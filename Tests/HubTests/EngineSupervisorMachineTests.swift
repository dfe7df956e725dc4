@testable import Hub
import Testing

struct EngineSupervisorMachineTests {
    let t0 = ContinuousClock.now

    func machine() -> EngineSupervisorMachine {
        EngineSupervisorMachine(startTimeout: .seconds(30), logFile: "/state/engines/piper.log")
    }

    func restartDelay(_ actions: [EngineSupervisorMachine.Action]) -> Duration? {
        for case .restart(_, let after) in actions { return after }
        return nil
    }

    @Test func anEngineIsUpWhenItsHealthCheckPassesAndWaitersHearIt() {
        var engine = machine()
        #expect(engine.handle(.start, now: t0) == [.launch(attempt: 1)])
        #expect(engine.handle(.start, now: t0) == [], "started once")
        #expect(engine.handle(.launched(attempt: 1, pid: 42), now: t0).last == .checkHealth(attempt: 1, after: .zero))
        #expect(engine.handle(.healthChecked(attempt: 1, passed: false, exited: false), now: t0 + .seconds(1))
            == [.checkHealth(attempt: 1, after: .milliseconds(200))])
        let up = engine.handle(.healthChecked(attempt: 1, passed: true, exited: false), now: t0 + .seconds(2))
        #expect(up.last == .answerWaiters(.running))
        #expect(engine.phase == .running)
    }

    @Test func anEngineThatIsNotHealthyInTimeIsKilledAndStartedAgainAfterABackoff() {
        var engine = machine()
        _ = engine.handle(.start, now: t0)
        _ = engine.handle(.launched(attempt: 1, pid: 42), now: t0)
        let late = engine.handle(.healthChecked(attempt: 1, passed: false, exited: false), now: t0 + .seconds(31))
        #expect(late.contains(.answerWaiters(.failed("not healthy within 30.0 seconds"))))
        #expect(late.last == .terminate(attempt: 1, grace: .seconds(2)))
        let exited = engine.handle(.exited(attempt: 1, status: "killed by signal 15"), now: t0 + .seconds(33))
        #expect(engine.lastFailure == "not healthy within 30.0 seconds", "the timeout said why, not the kill")
        #expect(restartDelay(exited) == .seconds(1))
        #expect(engine.phase == .waitingToRestart && engine.restarts == 1)
        #expect(engine.handle(.backoffElapsed(attempt: 1), now: t0 + .seconds(34)) == [.launch(attempt: 2)])
    }

    @Test func theBackoffDoublesUpTo30SecondsAndStartsAnewAfterALongRun() {
        var engine = machine()
        _ = engine.handle(.start, now: t0)
        var now = t0
        var delays: [Duration] = []
        for attempt in 1...7 {
            let actions = engine.handle(.launchFailed(attempt: attempt, error: "no such file"), now: now)
            delays.append(restartDelay(actions) ?? .zero)
            now += .seconds(1)
            _ = engine.handle(.backoffElapsed(attempt: attempt), now: now)
        }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30].map { .seconds($0) })
        _ = engine.handle(.launched(attempt: 8, pid: 7), now: now)
        _ = engine.handle(.healthChecked(attempt: 8, passed: true, exited: false), now: now)
        let died = engine.handle(.exited(attempt: 8, status: "exited with status 1"), now: now + .seconds(120))
        #expect(restartDelay(died) == .seconds(1))
        #expect(died.contains(.answerWaiters(.failed("it exited with status 1"))))
        #expect(engine.lastFailure == "exited with status 1")
    }

    @Test func newsOfAnEarlierAttemptIsIgnored() {
        var engine = machine()
        _ = engine.handle(.start, now: t0)
        _ = engine.handle(.launchFailed(attempt: 1, error: "x"), now: t0)
        _ = engine.handle(.backoffElapsed(attempt: 1), now: t0 + .seconds(1))
        #expect(engine.handle(.exited(attempt: 1, status: "late"), now: t0 + .seconds(2)) == [])
        #expect(engine.handle(.healthChecked(attempt: 1, passed: true, exited: false), now: t0 + .seconds(2)) == [])
        #expect(engine.phase == .starting)
    }

    @Test func aStoppedEngineIsNotRestartedAndWaitersHearWhy() {
        var engine = machine()
        _ = engine.handle(.start, now: t0)
        _ = engine.handle(.launched(attempt: 1, pid: 42), now: t0)
        #expect(engine.handle(.stop, now: t0) == [.terminate(attempt: 1, grace: .seconds(5))])
        #expect(engine.handle(.exited(attempt: 1, status: "killed"), now: t0) == [])
        #expect(engine.handle(.stopped, now: t0) == [.forgetPIDFile, .answerWaiters(.stopped)])
        #expect(engine.handle(.start, now: t0) == [])
        #expect(engine.phase == .stopped)
    }

    @Test func anEngineNeverStartedHasNothingToTerminate() {
        var engine = machine()
        #expect(engine.handle(.stop, now: t0) == [])
        #expect(engine.phase == .idle)
    }
}
