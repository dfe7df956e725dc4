/// What to start: an argv (never a shell string), its extra environment and its working directory.
public struct SpawnSpec: Sendable {
    /// A name unique among live sessions (the hub's session id); spawners use it for tmux names and logs.
    public var name: String
    public var argv: [String]
    /// Added to the hub's own environment.
    public var environment: [String: String]
    /// Where the agent works: the user's project folder (never written to by a spawner).
    public var workingDirectory: String
    /// The session's own private directory (mode 0700), where a spawner keeps its files.
    public var sessionDirectory: String
    /// Where the terminal's output is logged, when the spawner keeps a log.
    public var logFile: String?
    /// The machine to start the agent on; nil: this one. Paths and environment are the host's.
    public var host: (any HostShell)?

    public init(
        name: String, argv: [String], environment: [String: String], workingDirectory: String,
        sessionDirectory: String? = nil, logFile: String? = nil, host: (any HostShell)? = nil
    ) {
        self.name = name
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.sessionDirectory = sessionDirectory ?? workingDirectory
        self.logFile = logFile
        self.host = host
    }
}

/// Starts agents in terminals (tmux, a plain PTY, ...).
public protocol Spawner: HealthProbe {
    func spawn(_ spec: SpawnSpec) async throws -> any SpawnedAgent
    /// The agent named `name` (whose session directory is `sessionDirectory`) that an earlier
    /// run of the hub started, if it still runs. nil: gone, or this spawner cannot.
    func adopt(name: String, sessionDirectory: String) async -> (any SpawnedAgent)?
    /// Whether it starts agents on other hosts (`SpawnSpec.host`); one that cannot refuses them.
    var reachesHosts: Bool { get }
    /// The agent named `name` that an earlier run of the hub started on `host`; nil when it is
    /// gone. Throws when the host cannot be reached (nothing is known then).
    func adopt(name: String, on host: any HostShell) async throws -> (any SpawnedAgent)?
}

extension Spawner {
    public func adopt(name: String, sessionDirectory: String) async -> (any SpawnedAgent)? { nil }
    public var reachesHosts: Bool { false }
    public func adopt(name: String, on host: any HostShell) async throws -> (any SpawnedAgent)? { nil }
}

/// A running agent in its terminal.
public protocol SpawnedAgent: Sendable {
    /// How a person finds it for debugging: `tmux attach -t voice-1-ab12cd`, `pid 4242`.
    var debugDescription: String { get }
    /// Sends keystrokes (and literal text) to the terminal, in order.
    func send(_ keys: [TerminalKey]) async throws
    func isAlive() async -> Bool
    /// Ends the agent and every process it started; returns once they are gone or killed.
    func terminate() async
    /// The terminal's visible screen as text (one line per row, trailing blanks trimmed), each
    /// time it changes: the current screen first. Ends when the agent exits.
    func screens() -> AsyncStream<String>
    /// The screen as it is now, or as it was when the agent ended; nil when nothing is known.
    func lastScreen() async -> String?
}

public enum SpawnError: Error, Sendable, CustomStringConvertible {
    /// The agent command's executable is not installed or not executable.
    case commandNotFound(String)
    /// The spawner itself cannot work here (e.g. tmux missing).
    case unavailable(String)
    case failed(String)

    public var description: String {
        switch self {
        case .commandNotFound(let command): "agent command not found: \(command)"
        case .unavailable(let detail): "spawner unavailable: \(detail)"
        case .failed(let detail): "spawn failed: \(detail)"
        }
    }
}
