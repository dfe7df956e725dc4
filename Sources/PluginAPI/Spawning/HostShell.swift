import Foundation

/// Another machine where agents may run (a host of the config, reached over SSH): a spawner
/// that `reachesHosts` runs its commands there through this. Nothing of it is a shell string
/// on our side: each argument arrives on the host as it was given.
public protocol HostShell: Sendable {
    /// The host's name in the config, for messages.
    var hostName: String { get }
    /// Runs `argv` on the host, `input` on its stdin; what it printed and whether it succeeded.
    /// Throws when the host cannot be reached (its connection is down): then nothing is known
    /// of what runs there.
    func run(_ argv: [String], input: Data?) async throws -> HostCommandResult
}

/// How a command on a host ended.
public struct HostCommandResult: Sendable {
    public let succeeded: Bool
    public let standardOutput: String
    public let standardError: String

    public init(succeeded: Bool, standardOutput: String, standardError: String) {
        self.succeeded = succeeded
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}
