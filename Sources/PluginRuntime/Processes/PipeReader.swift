#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Reads a pipe on a thread of its own (blocking reads never hold a Swift concurrency thread)
/// and hands the bytes over as an async stream that ends at end of file.
public enum PipeReader {
    public static func chunks(of handle: FileHandle, name: String) -> AsyncStream<Data> {
        let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
        let thread = Thread {
            // The handle stays referenced (and its descriptor open) for as long as we read it.
            let fd = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                continuation.yield(Data(buffer[0..<count]))
            }
            continuation.finish()
            withExtendedLifetime(handle) {}
        }
        thread.name = name
        thread.start()
        return stream
    }

    /// Splits a byte stream into lines (without the newline); a last line without one is kept.
    public static func lines(of chunks: AsyncStream<Data>) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            var pending = Data()
            for await chunk in chunks {
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
