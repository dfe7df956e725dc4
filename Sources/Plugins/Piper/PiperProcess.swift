#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PluginAPI
import PluginRuntime

/// One `piper -d DIR` process. Each input line becomes one WAV file in DIR; Piper logs
/// `Wrote DIR/<name>.wav` on stderr once the file is complete, which is the utterance boundary.
/// Utterances go one at a time; one that takes longer than the timeout kills the process.
final class PiperProcess: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case exited(engine: String, detail: String)
        case unreadable(engine: String, path: String)

        var description: String {
            switch self {
            case .exited(let engine, let detail): "\(engine): piper exited (\(detail))"
            case .unreadable(let engine, let path): "\(engine): cannot read piper's output \(path)"
            }
        }
    }

    let pid: Int32
    private let child: ChildProcess
    private let directory: String
    private let written: Mailbox
    private let turn = SerialTurn()
    private let name: String
    private let timeout: Duration

    init(argv: [String], name: String, timeout: Duration, logger: Logger) throws {
        Self.removeDirectoriesOfDeadOwners()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(Self.directoryPrefix)\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let child = try ChildProcess(argv: argv + ["-d", directory], stdin: .pipe, stdout: .null, stderr: .pipe)
        self.child = child
        self.pid = child.pid
        self.directory = directory
        self.name = name
        self.timeout = timeout
        let written = Mailbox()
        self.written = written
        guard let errors = child.errorOutput else { throw Failure.exited(engine: name, detail: "no stderr pipe") }
        // stderr carries the "Wrote" lines and Piper's own complaints; the latter go to our log.
        Task {
            var tail: [String] = []
            for await line in PipeReader.lines(of: PipeReader.chunks(of: errors, name: "piper \(child.pid) stderr")) {
                if let range = line.range(of: "Wrote "), line.hasSuffix(".wav") {
                    written.post(String(line[range.upperBound...]))
                } else if !line.isEmpty {
                    tail = Array((tail + [line]).suffix(5))
                    let routine = line.hasPrefix("INFO:") || line.hasPrefix("DEBUG:")
                    logger.log(level: routine ? .debug : .warning, "piper says", metadata: ["pid": "\(child.pid)", "line": "\(line)"])
                }
            }
            let termination = await child.waitForExit()
            written.close(reason: "\(termination)" + (tail.isEmpty ? "" : ": " + tail.joined(separator: " | ")))
        }
    }

    var isAlive: Bool { child.termination == nil && !written.isClosed }

    /// Speaks one line; returns the WAV file's bytes. A caller that is cancelled still waits for
    /// its line: Piper finishes it anyway, and its `Wrote` line must not be taken by the next one.
    func speak(_ line: String) async throws -> Data {
        try await Task { try await self.exchange(line) }.value
    }

    private func exchange(_ line: String) async throws -> Data {
        try await turn.run {
            guard let input = child.input, isAlive else {
                throw Failure.exited(engine: name, detail: written.closeReason ?? "not running")
            }
            let bytes = Array((line + "\n").utf8)
            let sent = bytes.withUnsafeBytes { write(input.fileDescriptor, $0.baseAddress, $0.count) }
            guard sent == bytes.count else {
                throw Failure.exited(engine: name, detail: written.closeReason ?? "stdin closed")
            }
            let path: String
            do {
                path = try await withTimeout(timeout) { try await self.written.next() }
            } catch is TimeoutExceeded {
                // Killed before the next line gets its turn: that line must not receive this one's late file.
                child.signalGroup(SIGKILL)
                written.close(reason: "timed out")
                throw SpeechError.timedOut(engine: name, after: timeout)
            } catch let closed as Mailbox.Closed {
                throw Failure.exited(engine: name, detail: closed.reason)
            }
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard let wav = FileManager.default.contents(atPath: path) else { throw Failure.unreadable(engine: name, path: path) }
            return wav
        }
    }

    private static let directoryPrefix = "clawmux-piper-"

    /// Output directories are named after the process that made them; those of a process that
    /// is gone (killed, or a test run that ended) are removed here.
    private static func removeDirectoriesOfDeadOwners() {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(directoryPrefix) {
            let owner = name.dropFirst(directoryPrefix.count).split(separator: "-").first.flatMap { Int32($0) }
            // Directories from before owners were recorded have no pid: they are stale too.
            if let owner, kill(owner, 0) == 0 || errno == EPERM { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }

    func stop() async {
        child.closeInput()
        await child.terminate(grace: .seconds(2))
        try? FileManager.default.removeItem(atPath: directory)
    }
}
