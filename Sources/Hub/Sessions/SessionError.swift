/// Why a session request failed, with the HTTP status the REST API answers.
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case unknownVoice(String, valid: [String])
    case invalidLabel(String)
    case invalidSpeed(Double)
    case unknownAgent(String, valid: [String])
    case unknownHost(String, valid: [String])
    /// `cwd` is not a folder the agent can work in.
    case invalidDirectory(String)
    case invalidKeys(String)
    /// A prompt that is empty or too long.
    case invalidPrompt(String)
    /// The session cannot take it any more (it ended).
    case conflict(String)
    /// The spawner or the agent command is missing, or the hub is full.
    case unavailable(String)
    /// The agent's MCP bridge never connected.
    case bridgeTimeout(String)

    public var httpStatus: Int {
        switch self {
        case .notFound: 404
        case .unknownVoice, .invalidLabel, .invalidSpeed, .unknownAgent, .unknownHost, .invalidDirectory, .invalidKeys, .invalidPrompt: 400
        case .conflict: 409
        case .unavailable: 503
        case .bridgeTimeout: 504
        }
    }

    public var description: String {
        switch self {
        case .notFound(let id): "session '\(id)' not found"
        case .unknownVoice(let voice, let valid): "unknown voice '\(voice)'; valid voices: \(valid.joined(separator: ", "))"
        case .invalidLabel(let reason): "invalid label: \(reason)"
        case .invalidSpeed(let speed): "speed must be between 0.5 and 2.0, got \(speed)"
        case .unknownAgent(let agent, let valid): "unknown agent '\(agent)'; valid agents: \(valid.joined(separator: ", "))"
        case .unknownHost(let host, let valid):
            "unknown host '\(host)'; " + (valid.isEmpty ? "the config has no hosts: section" : "hosts: \(valid.joined(separator: ", "))")
        case .invalidDirectory(let reason): reason
        case .invalidKeys(let reason): reason
        case .invalidPrompt(let reason): reason
        case .conflict(let reason): reason
        case .unavailable(let reason): reason
        case .bridgeTimeout(let reason): reason
        }
    }
}
