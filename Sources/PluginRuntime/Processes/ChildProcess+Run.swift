import Foundation

extension ChildProcess {
    /// What a short command printed, and how it ended.
    public struct Output: Sendable {
        public let termination: Termination
        public let standardOutput: String
        public let standardError: String

        public var succeeded: Bool { termination == .exited(0) }
    }

    /// Runs a short command (argv, no shell) to its end and collects what it printed, up to
    /// `limit` bytes of each stream (the rest is read and dropped, so the command never blocks
    /// on a full pipe). `input`: what it reads on stdin (else it reads nothing). `timeout`: it is
    /// killed (its group) after this long, and ends `.signalled(SIGKILL)`.
    public static func run(
        _ argv: [String], environment: [String: String] = [:], input: Data? = nil, limit: Int = 1 << 20, timeout: Duration? = nil
    ) async throws -> Output {
        let process = try ChildProcess(argv: argv, environment: environment, stdin: input == nil ? .null : .pipe, stdout: .pipe, stderr: .pipe)
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
        let killer = timeout.map { limit in
            Task {
                try await Task.sleep(for: limit)
                process.signalGroup(SIGKILL)
            }
        }
        defer { killer?.cancel() }
        async let printed = collect(PipeReader.chunks(of: output, name: "\(argv[0]) out"), limit: limit)
        async let complained = collect(PipeReader.chunks(of: errors, name: "\(argv[0]) err"), limit: limit)
        let (standardOutput, standardError) = await (printed, complained)
        return Output(
            termination: await process.waitForExit(),
            standardOutput: String(decoding: standardOutput, as: UTF8.self),
            standardError: String(decoding: standardError, as: UTF8.self))
    }

    private static func collect(_ chunks: AsyncStream<Data>, limit: Int) async -> Data {
        var all = Data()
        for await chunk in chunks where all.count < limit { all.append(chunk.prefix(limit - all.count)) }
        return all
    }
}
