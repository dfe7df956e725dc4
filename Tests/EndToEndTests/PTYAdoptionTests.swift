#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PluginAPI
@testable import Plugins
import Testing

/// A hub that adopts a pty session whose agent ended while no hub was connected learns so from
/// the host's hello, so it never takes a dead session for a live one (CI saw the old race: the
/// end came in a second frame, read after the hub had asked whether the agent lived).
struct PTYAdoptionTests {
    @Test("an agent that ended while no hub was connected is reported gone at adoption; its host then ends",
          .timeLimit(.minutes(1)))
    func adoptEnded() async throws {
        let directory = try TestPaths.temporaryDirectory("pty").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spawner = PTYSpawner(columns: 80, rows: 24, hostExecutable: TestPaths.clawmux, logger: Logger(label: "pty-test"))
        let first = try await spawner.spawn(SpawnSpec(
            name: "ends", argv: ["/bin/sleep", "60"], environment: [:], workingDirectory: directory))
        let agentPID = try #require((first as? PTYAgent)?.pid)
        let hostPID = try #require(ProcessInspection.parent(of: agentPID))

        // A hub that connects and vanishes (as one killed would) leaves the host without a hub.
        let socketPath = PTYSpawner.socketPath(in: directory)
        let passing = try TerminalSocket.connect(to: socketPath)
        var hello = [UInt8](repeating: 0, count: 64)
        #expect(recv(passing, &hello, hello.count, 0) > 0)
        close(passing)
        // Then the agent ends (the host sees the hub gone first: the close came before the kill).
        kill(agentPID, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        // Until the host has reaped it (a zombie is not running, but not yet noted by its host).
        while FileManager.default.fileExists(atPath: "/proc/\(agentPID)"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!ProcessInspection.isRunning(agentPID), "the agent ended")
        #expect(ProcessInspection.isRunning(hostPID), "its host waits for a hub to tell")

        let adopted = try #require(await spawner.adopt(name: "ends", sessionDirectory: directory))
        #expect(await adopted.isAlive() == false, "gone at once, not after a later frame")
        while ProcessInspection.isRunning(hostPID), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!ProcessInspection.isRunning(hostPID), "the host ends once a hub has heard")
        await adopted.terminate()
        await first.terminate()
    }
}
