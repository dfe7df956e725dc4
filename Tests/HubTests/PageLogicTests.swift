import Foundation
import PluginRuntime
import Testing
import ClawMuxTesting

/// The page's logic that needs no browser (static/js: voice-activity detection, the streamed
/// upload), tested by Node's own runner: Tests/JS/*.test.mjs. Node is required, like Chromium
/// (scripts/setup-engines.sh installs both): without it this fails, it does not pass untested.
struct PageLogicTests {
    /// `<root>/Tests/HubTests/PageLogicTests.swift` → `<root>`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theJavaScriptTestsPass() async throws {
        let onPath = ExecutableLookup.resolve("node", searchPath: ProcessInfo.processInfo.environment["PATH"], workingDirectory: "/")
        let node = try #require(onPath ?? (ExecutableLookup.isExecutableFile("/usr/bin/node") ? "/usr/bin/node" : nil),
                                "no node on the PATH nor at /usr/bin/node: run scripts/setup-engines.sh (it installs nodejs)")
        // The files, not the folder: Node 20 searches a folder, Node 22 takes globs instead.
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Tests/JS").path)
            .filter { $0.hasSuffix(".test.mjs") }.sorted().map { "Tests/JS/\($0)" }
        try #require(!files.isEmpty, "no Tests/JS/*.test.mjs")
        // TAP whatever the terminal: its summary is read below.
        let (status, output) = try await Self.run(node, ["--test", "--test-reporter=tap"] + files)
        let passed = Self.summary("pass", output), failed = Self.summary("fail", output)
        #expect(status == 0 && failed == 0 && (passed ?? 0) > 0,
                "node --test: status \(status), passed \(passed.map { "\($0)" } ?? "?"), failed \(failed.map { "\($0)" } ?? "?")\n\(output.suffix(6000))")
    }

    /// A count of TAP's summary: `# pass 17` → 17 (nil: no summary, node did not finish).
    static func summary(_ name: String, _ tap: String) -> Int? {
        tap.split(separator: "\n").compactMap { line -> Int? in
            line.hasPrefix("# \(name) ") ? Int(line.dropFirst(name.count + 3)) : nil
        }.last
    }

    /// Runs `executable` in the package root, off the cooperative pool: its status and output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let directory = root
        let result = await Blocking.run { () -> Result<(Int32, String), any Error> in
            Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.currentDirectoryURL = directory
                // Close-on-exec: a child another test starts meanwhile must not hold it open.
                let output = Blocking.pipe()
                process.standardOutput = output.write
                process.standardError = output.write
                try process.run()
                try output.write.close()
                let data = output.read.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: data, as: UTF8.self))
            }
        }
        let (status, printed) = try result.get()
        return (status, printed)
    }
}
