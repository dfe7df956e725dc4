/// The original's session states.
public enum SessionStatus: String, Sendable, Equatable, Codable {
    case starting, ready, active, dead
}

/// Session lifecycle as a plain state machine: starting → ready ⇄ active → dead.
public struct SessionLifecycle: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        case bridgeConnected
        case converseStarted
        case converseEnded
        /// The agent exited, timed out or was deleted.
        case ended
    }

    public private(set) var status: SessionStatus = .starting

    public init() {}

    /// Applies `event`; returns the new status when it changed (to be announced as `session_status`).
    public mutating func handle(_ event: Event) -> SessionStatus? {
        let next: SessionStatus
        switch (status, event) {
        case (.dead, _): return nil
        case (_, .ended): next = .dead
        case (.starting, .bridgeConnected): next = .ready
        case (.ready, .converseStarted), (.starting, .converseStarted): next = .active
        case (.active, .converseEnded): next = .ready
        default: return nil
        }
        guard next != status else { return nil }
        status = next
        return next
    }
}
