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

    @Test func onlyAnAbsolutePathAfterTheMarkerCounts() {
        #expect(RemoteLookup.parse("\nclawmux-lookup:\n/usr/bin/claude\n/usr/bin:/bin\n") == .init(executable: "/usr/bin/claude", path: "/usr/bin:/bin"))
        #expect(RemoteLookup.parse("Welcome to the build box!\n/tmp/motd\n\nclawmux-lookup:\n/usr/bin/claude\n/bin\n")?.executable == "/usr/bin/claude",
                "what a login profile printed first is not the answer")
        #expect(RemoteLookup.parse("\nclawmux-lookup:\nalias claude='x'\n/bin\n") == nil, "an alias does not run under tmux")
        #expect(RemoteLookup.parse("/usr/bin/claude\n") == nil, "no marker, no answer")
        #expect(RemoteLookup.parse("") == nil)
    }
}

/// An agent's environment on a host: a private file a fixed script exports, so no secret is
/// ever an argument.
struct RemoteEnvironmentTests {
    @Test func theFileGivesBackEveryValueAsItWas() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let values = ["TOKEN": "it's $(touch /tmp/env-ran) `id` \"q\"\nline two", "PATH": "/usr/bin:/bin", "_X1": ""]
        let argv = try await RemoteEnvironment.prepare(values, argv: ["/usr/bin/env"], sessionDirectory: directory,
                                                       on: RemoteLookupTests.ThisMachine())
        #expect(!argv.joined().contains("it's"), "the value is not an argument")
        #expect(try FileManager.default.attributesOfItem(atPath: directory + "/agent.env")[.posixPermissions] as? Int == 0o600)
        let output = try await RemoteLookupTests.ThisMachine().run(argv, input: nil)
        #expect(output.standardOutput.contains("TOKEN=it's $(touch /tmp/env-ran) `id` \"q\"\nline two\n"), "\(output.standardOutput)")
        #expect(output.standardOutput.contains("_X1=\n"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/env-ran"))
    }

    @Test func aNameNoShellTakesIsRefused() {
        #expect(throws: SpawnError.self) { try RemoteEnvironment.file(["BAD-NAME": "x"]) }
        #expect(throws: SpawnError.self) { try RemoteEnvironment.file(["1X": "x"]) }
        #expect(RemoteEnvironment.isName("VOICE_HUB_SESSION_TOKEN") && RemoteEnvironment.isName("_a1"))
    }
}
