/// The original's session states, and ours: `needs_you` while the agent shows a terminal
/// dialog only the user can answer.
public enum SessionStatus: String, Sendable, Equatable, Codable {
    case starting, ready, active, dead
    case needsYou = "needs_you"
}
