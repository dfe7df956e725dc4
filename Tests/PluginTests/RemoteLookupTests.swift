import Foundation
@testable import Plugins
import PluginAPI
import PluginRuntime
import Testing

/// How the tmux spawner finds an agent's executable on a host: a login's `command -v`, the
/// command passed as `$1` (never spliced into the script), and that login's PATH.
struct RemoteLookupTests {
    /// This machine as a host: the argv goes through a shell, as ssh's would.
    struct ThisMachine: HostShell {
        let hostName = "here"
        func run(_ argv: [String], input: Data?) async throws -> HostCommandResult {
            let line = argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            let output = try await ChildProcess.run(["/bin/sh", "-c", line], input: input)
            return HostCommandResult(succeeded: output.succeeded, standardOutput: output.standardOutput, standardError: output.standardError)
        }
    }

    @Test func findsTheExecutableAndTheLoginsPath() async throws {
        let found = try await RemoteLookup.find("sh", on: ThisMachine())
        #expect(found.executable.hasPrefix("/") && found.executable.hasSuffix("/sh"))
        #expect(found.path?.contains("/bin") == true)
    }

    @Test func aMissingCommandIsNamedWithItsHost() async throws {
        await #expect(throws: SpawnError.self) { _ = try await RemoteLookup.find("no-such-agent-$(touch /tmp/lookup-ran)", on: ThisMachine()) }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/lookup-ran"))
        do {
            _ = try await RemoteLookup.find("no-such-agent", on: ThisMachine())
        } catch {
            #expect("\(error)" == "agent command not found: no-such-agent (on here)")
        }
    }

    @Test func onlyAnAbsolutePathCounts() {
        #expect(RemoteLookup.parse("/usr/bin/claude\n/usr/bin:/bin\n") == .init(executable: "/usr/bin/claude", path: "/usr/bin:/bin"))
        #expect(RemoteLookup.parse("alias claude='x'\n") == nil, "an alias does not run under tmux")
        #expect(RemoteLookup.parse("") == nil)
    }
}
