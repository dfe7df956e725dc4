import Logging

/// Every decision about one engine the hub launches, as a plain state machine: when to start
/// it, when it counts as up, when a start has failed, how long to wait before the next one,
/// who waiting for it hears what. `EngineSupervisor` executes it (processes, health checks,
/// timers). Each start is an `attempt`: what is heard of an earlier one is stale and ignored.
struct EngineSupervisorMachine: Sendable {
    enum Phase: String, Sendable {
        /// Not started yet (`start: first_use`).
        case idle
        case starting
        case running
        /// It died or failed to start; the next attempt comes after a backoff.
        case waitingToRestart = "restarting"
        case stopped
    }

    enum Event: Sendable, Equatable {
        case start
        case launched(attempt: Int, pid: Int32)
        case launchFailed(attempt: Int, error: String)
        /// A health check of the running attempt ended; `exited`: the process is gone already.
        case healthChecked(attempt: Int, passed: Bool, exited: Bool)
        case exited(attempt: Int, status: String)
        case backoffElapsed(attempt: Int)
        case stop
        /// The process of a stopping supervisor has ended.
        case stopped
    }

    enum Answer: Sendable, Equatable {
        case running
        /// This start failed: why.
        case failed(String)
        case stopped
    }

    enum Action: Sendable, Equatable {
        case launch(attempt: Int)
        case checkHealth(attempt: Int, after: Duration)
        /// Kill the attempt's process (after `grace`, its whole group).
        case terminate(attempt: Int, grace: Duration)
        case restart(attempt: Int, after: Duration)
        /// Everyone waiting for the engine hears whether it runs.
        case answerWaiters(Answer)
        case forgetPIDFile
        case log(Logger.Level, String)
    }

    private(set) var phase: Phase = .idle
    private(set) var restarts = 0
    private(set) var lastFailure: String?
    private(set) var stopping = false
    private(set) var attempt = 0
    private var startedAt: ContinuousClock.Instant?
    private var backoff: Duration = .seconds(1)
    private let startTimeout: Duration
    private let logFile: String

    init(startTimeout: Duration, logFile: String) {
        self.startTimeout = startTimeout
        self.logFile = logFile
    }

    var hasStarted: Bool { attempt > 0 }

    mutating func handle(_ event: Event, now: ContinuousClock.Instant) -> [Action] {
        switch event {
        case .start:
            guard !hasStarted, !stopping else { return [] }
            return launch(now: now)

        case .launched(let id, let pid) where id == attempt && !stopping:
            return [.log(.info, "engine started (pid \(pid), log \(logFile))"), .checkHealth(attempt: id, after: .zero)]

        case .launchFailed(let id, let error) where id == attempt && !stopping:
            lastFailure = error
            return [.log(.error, "cannot start engine: \(error)"), .answerWaiters(.failed(error))]
                + restartLater(now: now)

        case .healthChecked(let id, let passed, let exited) where id == attempt && !stopping && phase == .starting:
            // A process that is gone is reported by its exit.
            if exited { return [] }
            if passed {
                phase = .running
                let took = startedAt.map { now - $0 } ?? .zero
                return [.log(.notice, "engine is up (took \(took))"), .answerWaiters(.running)]
            }
            if let startedAt, now - startedAt > startTimeout {
                lastFailure = "not healthy within \(startTimeout)"
                return [.log(.error, "engine did not become healthy within \(startTimeout); killing it"),
                        .answerWaiters(.failed(lastFailure ?? "")), .terminate(attempt: id, grace: .seconds(2))]
            }
            return [.checkHealth(attempt: id, after: .milliseconds(200))]

        case .exited(let id, let status) where id == attempt && !stopping:
            // A start that timed out already said why.
            if phase == .running || lastFailure == nil { lastFailure = status }
            return [.log(.error, "engine exited: \(status) (log \(logFile))"), .answerWaiters(.failed("it \(status)"))]
                + restartLater(now: now)

        case .backoffElapsed(let id) where id == attempt && !stopping:
            return launch(now: now)

        case .stop:
            stopping = true
            return hasStarted ? [.terminate(attempt: attempt, grace: .seconds(5))] : []

        case .stopped:
            phase = .stopped
            return [.forgetPIDFile, .answerWaiters(.stopped)]

        case .launched, .launchFailed, .healthChecked, .exited, .backoffElapsed:
            return []
        }
    }

    private mutating func launch(now: ContinuousClock.Instant) -> [Action] {
        attempt += 1
        phase = .starting
        lastFailure = nil
        startedAt = now
        return [.launch(attempt: attempt)]
    }

    private mutating func restartLater(now: ContinuousClock.Instant) -> [Action] {
        // A run that lasted a while was a success: the next failure starts the backoff anew.
        if let startedAt, now - startedAt > .seconds(60) { backoff = .seconds(1) }
        restarts += 1
        phase = .waitingToRestart
        let wait = backoff
        backoff = min(backoff * 2, .seconds(30))
        return [.log(.info, "restarting engine after \(wait)"), .restart(attempt: attempt, after: wait)]
    }
}
