/// Ctrl-C (or SIGTERM) during `clawmux say` or `transcribe`.
public struct Interrupted: Error, CustomStringConvertible {
    public var description: String { "interrupted" }
}

extension SpeechStack {
    /// Runs one command's speech work; whether it ends, fails or is interrupted by Ctrl-C or
    /// SIGTERM, the engines it started (launched ones in their own process groups, Piper) are
    /// stopped before this returns, so none outlives the command.
    public func runInterruptibly<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await work()) } catch { return .failure(error) }
            }
            group.addTask {
                await ShutdownSignal.wait()
                return Task.isCancelled ? nil : .failure(Interrupted())
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .failure(CancellationError())
        }
        await stop()
        return try result.get()
    }
}
