/// Session lifecycle as a plain state machine: starting ⇄ needs_you, starting → ready ⇄ active → dead.
public struct SessionLifecycle: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        /// The agent finished its MCP handshake through the bridge (or an original bridge connected).
        case bridgeConnected
        /// A terminal dialog waits for the user / is gone.
        case needsUser
        case userAnswered
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
        case (.starting, .bridgeConnected), (.needsYou, .bridgeConnected): next = .ready
        case (.starting, .needsUser): next = .needsYou
        case (.needsYou, .userAnswered): next = .starting
        case (.ready, .converseStarted), (.starting, .converseStarted), (.needsYou, .converseStarted): next = .active
        case (.active, .converseEnded): next = .ready
        default: return nil
        }
        guard next != status else { return nil }
        status = next
        return next
    }
}
