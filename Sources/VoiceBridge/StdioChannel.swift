#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import WireJSON

/// MCP's stdio transport: one JSON message per line. Reads block the calling thread (no
/// polling: a message is handled the moment it arrives); writes come from any thread, whole
/// lines at a time. stdout carries nothing else.
final class StdioChannel: Sendable {
    private let writing = Mutex(())
    private let reading = Mutex<[UInt8]>([])
    private let input: Int32
    private let output: Int32

    /// stdin and stdout; tests pass pipes.
    init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    /// The next line without its newline; nil at end of input.
    func readLine() -> [UInt8]? {
        reading.withLock { buffer -> [UInt8]? in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    let line = Array(buffer[..<newline])
                    buffer.removeFirst(newline + 1)
                    return line
                }
                let count = read(input, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    // A last line without a newline still counts.
                    guard !buffer.isEmpty else { return nil }
                    defer { buffer.removeAll() }
                    return buffer
                }
                buffer += chunk[0..<count]
            }
        }
    }

    func write(_ message: JSONValue) {
        let bytes = Array((message.encodedText() + "\n").utf8)
        writing.withLock { _ in _ = writeFully(output, bytes, socket: false) }
    }
}
