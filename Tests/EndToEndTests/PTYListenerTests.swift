import Foundation
import Logging
import PluginAPI
@testable import Plugins
import Testing

/// Listeners of a pty agent's terminal come and go while it prints (the hub stops watching a
/// terminal when the agent's bridge connects). Yielding output under the agent's lock while a
/// listener's task was being cancelled deadlocked the hub: the reader held the agent's lock and
/// wanted the task's, the cancel held the task's and wanted the agent's (seen in the benchmark).
struct PTYListenerTests {
    @Test("listeners cancelled while the agent floods its terminal never deadlock the reader",
          .timeLimit(.minutes(1)))
    func cancelledListenersDuringOutput() async throws {
        let directory = try TestPaths.temporaryDirectory("pty").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spawner = PTYSpawner(columns: 80, rows: 24, hostExecutable: TestPaths.clawmux, logger: Logger(label: "pty-test"))
        let agent = try await spawner.spawn(SpawnSpec(
            name: "flood", argv: ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo \"output $i\"; done"],
            environment: [:], workingDirectory: directory))
        var heard = 0
        for _ in 0..<300 {
            let listener = Task { () -> Int in
                var chunks = 0
                for await _ in agent.screens() { chunks += 1 }
                return chunks
            }
            try await Task.sleep(for: .microseconds(500))
            listener.cancel()
            heard += await listener.value
        }
        // The reader still delivers: a fresh listener hears the agent.
        var fresh = agent.screens().makeAsyncIterator()
        let next = await fresh.next()
        #expect(next?.isEmpty == false)
        #expect(heard > 0)
        await agent.terminate()
        #expect(await agent.isAlive() == false)
    }
}
