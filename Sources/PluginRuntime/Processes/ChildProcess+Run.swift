import Foundation
import NIOCore
import NIOPosix
import Synchronization

extension ChildProcess {
    /// What a short command printed, and how it ended.
    public struct Output: Sendable {
        public let termination: Termination
        public let standardOutput: String
        public let standardError: String

        public var succeeded: Bool { termination == .exited(0) }
        /// What it said on stderr, without surrounding blank space: the reason in an error message.
        public var complaint: String { standardError.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Runs a short command (argv, no shell) to its end and collects what it printed, up to
    /// `limit` bytes of each stream (the rest is read and dropped, so the command never blocks
    /// on a full pipe). `input`: what it reads on stdin, or `inputFile`: a file it reads as stdin
    /// (big ones are never held in memory); else it reads nothing. `timeout`: it is killed (its
    /// group) after this long, and ends `.signalled(SIGKILL)`.
    public static func run(
        _ argv: [String], environment: [String: String] = [:], input: Data? = nil, inputFile: String? = nil,
        limit: Int = 1 << 20, timeout: Duration? = nil
    ) async throws -> Output {
        let stdin: Stream = inputFile.map { .file($0) } ?? (input == nil ? .null : .pipe)
        let process = try ChildProcess(argv: argv, environment: environment, stdin: stdin, stdout: .pipe, stderr: .pipe)
        guard let output = process.output, let errors = process.errorOutput else {
            await process.terminate()
            throw LaunchError.openFile("a pipe", errno: EBADF)
        }
        if let input, let pipe = process.input {
            // Off the cooperative pool: a pipe write blocks until the child has read it.
            Thread.detachNewThread {
                try? pipe.write(contentsOf: input)
                try? pipe.close()
            }
        }
        let timedOut = TimeoutFlag()
        // A timer on an event loop, freed when the command ends (see `withTimeout`: a cancelled
        // `Task.sleep` keeps its timer queued, and hosts get many short commands).
        let killer = timeout.map { limit in
            MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(limit.nanoseconds)) {
                timedOut.set()
                process.signalGroup(SIGKILL)
            }
        }
        let printed = Task { await collect(PipeReader.chunks(of: output, name: "\(argv[0]) out"), limit: limit) }
        let complained = Task { await collect(PipeReader.chunks(of: errors, name: "\(argv[0]) err"), limit: limit) }
        let termination = await process.waitForExit()
        killer?.cancel()
        // Killed for its time: what it handed its pipes to (ssh passes its stdio to the master
        // connection) may hold them open for long; its output is not waited for.
        guard !timedOut.isSet else { return Output(termination: termination, standardOutput: "", standardError: "") }
        return Output(
            termination: termination,
            standardOutput: String(decoding: await printed.value, as: UTF8.self),
            standardError: String(decoding: await complained.value, as: UTF8.self))
    }

    private static func collect(_ chunks: AsyncStream<Data>, limit: Int) async -> Data {
        var all = Data()
        for await chunk in chunks where all.count < limit { all.append(chunk.prefix(limit - all.count)) }
        return all
    }
}

/// Set once a command was killed for taking too long.
private final class TimeoutFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
