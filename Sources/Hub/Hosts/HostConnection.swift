import Foundation
import PluginAPI

/// One host as spawners see it: commands run over the hub's master connection to it.
struct HostConnection: HostShell {
    let hostName: String
    let links: HostLinks

    func run(_ argv: [String], input: Data?) async throws -> HostCommandResult {
        let output = try await links.run(argv, on: hostName, input: input)
        return HostCommandResult(succeeded: output.succeeded, standardOutput: output.standardOutput, standardError: output.standardError)
    }
}
