import Foundation
import Hub
import WireJSON
import ClawMuxTesting

/// `Tests/Browser/drive.py`: one scenario in a real headless Chromium (Playwright) against a hub.
/// It prints `{"sync": NAME, ...}` where the test must act on the hub (answered with one JSON
/// line on its stdin), then one result line `{"ok": …, "facts": {…}}`.
final class PageDriver: Sendable {
    static let python = TestPaths.packageRoot.appendingPathComponent(".venv/bin/python").path
    static let script = TestPaths.packageRoot.appendingPathComponent("Tests/Browser/drive.py").path
    static var chromium: String { ProcessInfo.processInfo.environment["CLAWMUX_TEST_CHROMIUM"] ?? "/usr/bin/chromium" }

    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let errorPath: String

    /// Screenshots and failure dumps go to `directory`.
    init(hub: HubProcess, scenario: String, wav: String, expect: String, directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        errorPath = directory.appendingPathComponent("drive.stderr").path
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [
            Self.script, "--url", hub.baseURL, "--token", hub.token, "--scenario", scenario,
            "--wav", wav, "--expect", expect, "--screenshots", directory.path, "--chromium", Self.chromium,
        ]
        let stdin = Blocking.pipe(), stdout = Blocking.pipe()
        process.standardInput = stdin.read
        process.standardOutput = stdout.write
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
        try stdin.read.close()
        try stdout.write.close()
        input = stdin.write
        output = stdout.read
    }

    /// Runs the scenario to its end: each sync point goes to `onSync`, whose answer is sent back
    /// (a thrown error is sent as `{"error": …}`, so drive.py stops with it, and rethrown).
    /// Returns the scenario's facts; a failed scenario throws with the page's log and console.
    func run(limit: Duration = .seconds(600), onSync: (String, JSONValue) async throws -> JSONValue) async throws -> JSONValue {
        let process = self.process
        // A hung browser must not hang the test run.
        let watchdog = Task {
            try await Task.sleep(for: limit)
            process.terminate()
        }
        defer { watchdog.cancel() }
        let output = self.output
        while let line = await Blocking.run({ Self.readLine(output) }) {
            guard let message = JSONValue.decode(line) else { continue }
            if let name = message["sync"]?.stringValue {
                do {
                    try reply(try await onSync(name, message))
                } catch {
                    try? reply(.object(["error": .string("\(error)")]))
                    throw error
                }
            } else if let ok = message["ok"]?.boolValue {
                await Blocking.run { process.waitUntilExit() }
                guard ok else { throw TestFailure(Self.describe(failure: message)) }
                return message["facts"] ?? .null
            }
        }
        await Blocking.run { process.waitUntilExit() }
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        throw TestFailure("drive.py ended (status \(process.terminationStatus)) without a result:\n\(errors.suffix(4000))")
    }

    private func reply(_ value: JSONValue) throws {
        try input.write(contentsOf: Data((value.encodedText() + "\n").utf8))
    }

    /// One line, byte by byte (the output is a few short lines; no buffer to share between threads).
    private static func readLine(_ handle: FileHandle) -> String? {
        var data = Data()
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { return data.isEmpty ? nil : String(decoding: data, as: UTF8.self) }
            if byte == Data("\n".utf8) { return String(decoding: data, as: UTF8.self) }
            data.append(byte)
        }
    }

    private static func describe(failure: JSONValue) -> String {
        var text = "browser: \(failure["error"]?.stringValue ?? "failed")"
        if let shot = failure["screenshot"]?.stringValue { text += "\nscreenshot: \(shot)" }
        if let dump = failure["dump"]?.stringValue { text += "\nlog, state, console, WebSocket frames: \(dump)" }
        let log = failure["log_tail"]?.arrayValue ?? []
        text += "\nwindow.clawmux.log (last \(log.count)):\n" + log.map { "  \($0.encodedText())" }.joined(separator: "\n")
        let console = failure["console_tail"]?.arrayValue ?? []
        text += "\nconsole:\n" + console.compactMap { $0.stringValue.map { "  \($0)" } }.joined(separator: "\n")
        return text
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
