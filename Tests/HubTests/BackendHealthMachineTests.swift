import Foundation
@testable import Hub
import Testing

struct BackendHealthMachineTests {
    let start = Date(timeIntervalSince1970: 2_000_000)

    func machine() -> BackendHealthMachine {
        BackendHealthMachine(names: ["kokoro", "piper", "whisper"], launched: ["piper"], interval: .seconds(15), retryInterval: .seconds(2))
    }

    func outcome(_ healthy: Bool, _ detail: String = "fine") -> BackendProbe.Outcome {
        .init(healthy: healthy, detail: detail, latency: .milliseconds(20))
    }

    @Test func everyBackendIsProbedAtOnceAndALaunchedOneAsksItsSupervisor() {
        var health = machine()
        #expect(health.handle(.tick, now: start) == [.runProbe("kokoro"), .askSupervisor("piper"), .runProbe("whisper")])
        #expect(health.handle(.tick, now: start + 1) == [], "a probe in flight is not started twice")
    }

    @Test func aHealthyBackendIsProbedEveryIntervalOneThatIsDownEveryRetryInterval() {
        var health = machine()
        _ = health.handle(.tick, now: start)
        _ = health.handle(.probed("kokoro", outcome(true)), now: start)
        _ = health.handle(.probed("whisper", outcome(false, "connection refused")), now: start)
        _ = health.handle(.launched("piper", phase: .idle, logFile: "p.log", lastFailure: nil), now: start)
        // Only what is ok waits the long interval: the idle engine's supervisor is asked again too.
        #expect(health.handle(.tick, now: start + 3) == [.askSupervisor("piper"), .runProbe("whisper")])
        #expect(health.handle(.tick, now: start + 14) == [], "the two in flight are not asked twice")
        #expect(health.handle(.tick, now: start + 16) == [.runProbe("kokoro")])
    }

    @Test func aFailedCallTakesTheBackendOutOfUseUntilAProbePasses() {
        var health = machine()
        #expect(health.isUsable("kokoro"))
        let failed = health.handle(.callFailed("kokoro", error: "500", engineAtFault: true), now: start)
        #expect(failed == [.log(.warning, "backend failed; skipping it until a probe passes: 500", backend: "kokoro")])
        #expect(!health.isUsable("kokoro"))
        #expect(health.handle(.callFailed("kokoro", error: "500", engineAtFault: true), now: start) == [], "said once")
        _ = health.handle(.tick, now: start)
        #expect(health.handle(.probed("kokoro", outcome(true)), now: start) == [.log(.notice, "backend is back", backend: "kokoro")])
        #expect(health.isUsable("kokoro") && health.anyHealthy(["kokoro"]))
    }

    @Test func aRequestTheEngineRefusedKeepsItInUse() {
        var health = machine()
        #expect(health.handle(.callFailed("kokoro", error: "400 bad voice", engineAtFault: false), now: start) == [])
        #expect(health.isUsable("kokoro"))
        #expect(health.states["kokoro"]?.lastError == "400 bad voice")
    }

    @Test func aLaunchedEngineIsReportedByItsPhaseAndProbedOnlyWhenRunning() {
        var health = machine()
        _ = health.handle(.tick, now: start)
        _ = health.handle(.launched("piper", phase: .waitingToRestart, logFile: "p.log", lastFailure: "exited 1"), now: start)
        #expect(health.states["piper"]?.status == .down && health.states["piper"]?.lastError == "exited 1")
        #expect(!health.anyHealthy(["piper"]))
        _ = health.handle(.tick, now: start + 3)
        #expect(health.handle(.launched("piper", phase: .running, logFile: "p.log", lastFailure: nil), now: start + 3) == [.runProbe("piper")])
        _ = health.handle(.probed("piper", outcome(true)), now: start + 3)
        #expect(health.anyHealthy(["whisper", "piper"]))
    }

    @Test func anEngineThatStartsOnFirstUseCountsAsHealthy() {
        var health = machine()
        _ = health.handle(.tick, now: start)
        _ = health.handle(.launched("piper", phase: .idle, logFile: "p.log", lastFailure: nil), now: start)
        #expect(health.states["piper"]?.detail == "starts on first use")
        #expect(health.anyHealthy(["piper"]))
    }

    @Test func nothingIsProbedAfterStop() {
        var health = machine()
        _ = health.handle(.stop, now: start)
        #expect(health.handle(.tick, now: start) == [])
    }
}
