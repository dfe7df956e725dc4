import Foundation

/// One host's master SSH connection as a state machine: started, ready once its control socket
/// answers, restarted with a growing pause when it ends (the link dropped, the host is down, the
/// key was refused), the reason kept as ssh said it. Events in, actions out; `HostLinks` runs them.
struct HostLinkMachine: Sendable, Equatable {
    enum State: String, Sendable {
        case connecting, connected, down
    }

    enum Event: Sendable, Equatable {
        case start
        /// The control socket answered.
        case ready
        /// The master ssh ended; `reason`: what it printed (its last line), or how it ended.
        case ended(reason: String)
        case retryDue
        case stop
    }

    enum Action: Sendable, Equatable {
        case startMaster
        case retry(after: Duration)
        case log(String)
    }

    static let firstPause = Duration.seconds(1)
    static let longestPause = Duration.seconds(30)

    let host: String
    private(set) var state = State.connecting
    private(set) var lastError: String?
    private(set) var since = Date()
    private(set) var stopped = false
    private var pause = firstPause

    init(host: String) {
        self.host = host
    }

    mutating func handle(_ event: Event, now: Date) -> [Action] {
        guard !stopped else { return [] }
        switch event {
        case .start, .retryDue:
            change(to: state == .down ? .down : .connecting, now: now)
            return [.startMaster]
        case .ready:
            pause = Self.firstPause
            change(to: .connected, now: now)
            return [.log("host \(host): connected")]
        case .ended(let reason):
            lastError = reason
            let wait = pause
            pause = min(pause * 2, Self.longestPause)
            change(to: .down, now: now)
            return [.log("host \(host): \(reason); trying again in \(wait)"), .retry(after: wait)]
        case .stop:
            stopped = true
            change(to: .down, now: now)
            return []
        }
    }

    private mutating func change(to new: State, now: Date) {
        if new != state { since = now }
        state = new
    }
}
