import Foundation
import PluginRuntime
import Testing

/// `ChildProcess.run`: stdin from memory or from a file, and a command killed for its time
/// even when something else holds its output pipes open.
struct ChildProcessRunTests {
    @Test func stdinComesFromDataOrFromAFile() async throws {
        let fromData = try await ChildProcess.run(["/bin/cat"], input: Data("from memory".utf8))
        #expect(fromData.standardOutput == "from memory")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stdin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "from a file".write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = try await ChildProcess.run(["/bin/cat"], inputFile: path)
        #expect(fromFile.standardOutput == "from a file" && fromFile.succeeded)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "from a file", "read, not written to")
    }

    /// As an ssh client hands its pipes to the master: a process outside the command's group
    /// keeps them open long after the command was killed.
    @Test func aCommandKilledForItsTimeIsNotWaitedForThroughItsPipes() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("holder-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let started = ContinuousClock.now
        let output = try await ChildProcess.run(
            ["/bin/sh", "-c", "setsid sleep 30 & echo $! > \"$1\"; sleep 30", "sh", pidFile], timeout: .milliseconds(300))
        #expect(output.termination == .signalled(SIGKILL))
        #expect(ContinuousClock.now - started < .seconds(10))
        // The holder is ours to end.
        if let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
            kill(pid, SIGKILL)
        }
    }
}
