import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import ClawMuxTesting

/// A hub whose far end vanished: it accepts the WebSocket upgrade, then reads and never answers
/// anything (no pong), as a connection through an SSH link that was cut looks from the bridge.
/// Records each connection's bytes. Its threads end with the test process.
final class SilentHub: Sendable {
    final class Recorder: Sendable {
        /// What each connection sent after its upgrade.
        let received = Mutex<[[UInt8]]>([])
    }

    let port: Int
    let recorder = Recorder()

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else { throw TestFailure("cannot listen: \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let recorder = self.recorder
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                let index = recorder.received.withLock { $0.append([]); return $0.count - 1 }
                Thread.detachNewThread {
                    var head: [UInt8] = []
                    var byte: UInt8 = 0
                    while !(head.count >= 4 && Array(head.suffix(4)) == [13, 10, 13, 10]), read(connection, &byte, 1) == 1 { head.append(byte) }
                    let answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    _ = answer.withCString { write(connection, $0, strlen($0)) }
                    var chunk = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let count = read(connection, &chunk, chunk.count)
                        guard count > 0 else { break }
                        recorder.received.withLock { $0[index] += chunk[0..<count] }
                    }
                    close(connection)
                }
            }
        }
    }

    var connections: Int { recorder.received.withLock { $0.count } }
    func bytes(of connection: Int) -> [UInt8] { recorder.received.withLock { $0[connection] } }
}
