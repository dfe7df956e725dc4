import Foundation
import Logging
import MCP
#if canImport(Glibc)
import Glibc
import ClawMuxTesting
#endif

/// An MCP transport over a pair of file descriptors (stdio, or a child's pipes) speaking
/// newline-delimited JSON-RPC. Unlike the SDK's `StdioTransport`, which polls a non-blocking
/// stdin with 10 ms sleeps, a dedicated thread blocks in `read`, so a message is handled the
/// moment it arrives.
public actor LineTransport: Transport {
    /// What the message stream does at end of input.
    public enum EndOfInput: Sendable {
        /// Ends normally: right for the SDK's `Server`, whose loop then returns.
        case finish
        /// Ends with `EndOfInputError`: needed for the SDK's `Client`, whose receive loop
        /// re-subscribes to a normally finished stream forever (a busy loop) but stops on an error.
        case fail
    }

    public struct EndOfInputError: Error, CustomStringConvertible {
        public var description: String { "the other side closed the connection" }
    }

    public nonisolated let logger: Logger
    private let endOfInput: EndOfInput
    private let input: Int32
    private let output: Int32
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var connected = false

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, endOfInput: EndOfInput = .finish, logger: Logger) {
        self.endOfInput = endOfInput
        self.input = input
        self.output = output
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    public func connect() async throws {
        guard !connected else { return }
        connected = true
        let input = self.input, continuation = self.continuation, endOfInput = self.endOfInput
        Thread.detachNewThread { Self.readLines(from: input, into: continuation, endOfInput: endOfInput) }
    }

    public func disconnect() async {
        connected = false
        continuation.finish()
    }

    public func send(_ data: Data) async throws {
        var line = data
        line.append(UInt8(ascii: "\n"))
        try line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(output, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                }
                offset += written
            }
        }
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }

    /// Blocking reads until end of file; yields each complete line.
    private static func readLines(from fd: Int32, into continuation: AsyncThrowingStream<Data, any Error>.Continuation, endOfInput: EndOfInput) {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                if !line.isEmpty { continuation.yield(Data(line)) }
            }
        }
        switch endOfInput {
        case .finish: continuation.finish()
        case .fail: continuation.finish(throwing: EndOfInputError())
        }
    }
}
