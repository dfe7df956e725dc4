/// What to start: an argv (never a shell string), its extra environment and its working directory.
public struct SpawnSpec: Sendable {
    /// A name unique among live sessions (the hub's session id); spawners use it for tmux names and logs.
    public var name: String
    public var argv: [String]
    /// Added to the hub's own environment.
    public var environment: [String: String]
    public var workingDirectory: String
    /// Where the terminal's output is logged, when the spawner keeps a log.
    public var logFile: String?

    public init(name: String, argv: [String], environment: [String: String], workingDirectory: String, logFile: String? = nil) {
        self.name = name
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.logFile = logFile
    }
}

/// Starts agents in terminals (tmux, a plain PTY, ...).
public protocol Spawner: HealthProbe {
    func spawn(_ spec: SpawnSpec) async throws -> any SpawnedAgent
    /// The agent named `name` (started in `workingDirectory`) that an earlier run of the hub
    /// started, if it still runs. nil: gone, or this spawner cannot.
    func adopt(name: String, workingDirectory: String) async -> (any SpawnedAgent)?
}

extension Spawner {
    public func adopt(name: String, workingDirectory: String) async -> (any SpawnedAgent)? { nil }
}

/// A running agent in its terminal.
public protocol SpawnedAgent: Sendable {
    /// How a person finds it for debugging: `tmux attach -t voice-1-ab12cd`, `pid 4242`.
    var debugDescription: String { get }
    /// Types `text` literally into the terminal, then Enter if asked.
    func type(_ text: String, pressEnter: Bool) async throws
    func isAlive() async -> Bool
    /// Ends the agent and every process it started; returns once they are gone or killed.
    func terminate() async
    /// The terminal's text as it changes, for answering prompts. Ends when the agent exits.
    func terminalOutput() -> AsyncStream<String>
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
