import Foundation
import PluginAPI

/// One host as spawners see it: commands run over the hub's master connection to it. ssh's own
/// failure (status 255: the connection, not the command) is thrown, so a spawner tells a host it
/// cannot reach from an agent that is gone.
struct HostConnection: HostShell {
    let hostName: String
    let links: HostLinks

    func run(_ argv: [String], input: Data?) async throws -> HostCommandResult {
        let output = try await links.run(argv, on: hostName, input: input)
        if output.termination == .exited(255) {
            throw HostLinks.HostError.notConnected(host: hostName, reason: output.complaint)
        }
        return HostCommandResult(succeeded: output.succeeded, standardOutput: output.standardOutput, standardError: output.standardError)
    }
}
