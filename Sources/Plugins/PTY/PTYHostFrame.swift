#if canImport(Glibc)
import Glibc
#endif

/// What the PTY host and the hub say over the terminal socket: `[kind: 1 byte][length: 4 bytes,
/// big-endian][payload]`. The host sends `hello` first, then `data` (terminal output) and, once
/// the agent has ended, `exited`; the hub sends `data` (keystrokes). A hub that connects after
/// the agent ended gets the end in the hello itself, so adopting a session is decided at once.
enum PTYHostFrame: Equatable {
    /// `ended`: how the agent ended, when it had before this hub connected.
    case hello(agentPID: Int32, ended: String?)
    case data([UInt8])
    case exited(String)

    /// A frame bigger than this is a broken peer, not a terminal.
    static let maxPayload = 1 << 20

    var encoded: [UInt8] {
        let (kind, payload): (UInt8, [UInt8]) = switch self {
        case .hello(let pid, let ended): (1, Array((String(pid) + (ended.map { "\n" + $0 } ?? "")).utf8))
        case .data(let bytes): (2, bytes)
        case .exited(let status): (3, Array(status.utf8))
        }
        let length = UInt32(payload.count)
        return [kind, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + payload
    }

    /// One complete frame at the start of `buffer`, removed from it; nil when more bytes are
    /// needed. Throws for a frame no peer of ours sends.
    static func take(from buffer: inout [UInt8]) throws(Malformed) -> PTYHostFrame? {
        guard buffer.count >= 5 else { return nil }
        let length = buffer[1...4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= maxPayload else { throw Malformed() }
        guard buffer.count >= 5 + length else { return nil }
        let kind = buffer[0]
        let payload = Array(buffer[5..<(5 + length)])
        buffer.removeFirst(5 + length)
        switch kind {
        case 1:
            let parts = String(decoding: payload, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            guard let pid = parts.first.flatMap({ Int32($0) }) else { throw Malformed() }
            return .hello(agentPID: pid, ended: parts.count > 1 ? String(parts[1]) : nil)
        case 2: return .data(payload)
        case 3: return .exited(String(decoding: payload, as: UTF8.self))
        default: throw Malformed()
        }
    }

    struct Malformed: Error {}
}

/// Blocking socket helpers shared by the host and the hub's side.
enum TerminalSocket {
    /// Writes all of `bytes`, waiting for room on a non-blocking socket; false when the peer is
    /// gone. A frame is never left half-written on a live connection: on failure the socket
    /// is shut down.
    static func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var room = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&room, 1, 10_000) > 0 { continue }
            }
            guard sent > 0 else {
                _ = shutdown(fd, Int32(SHUT_RDWR))
                return false
            }
            offset += sent
        }
        return true
    }

    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw SocketError("the path \(path) is too long for a unix socket (\(capacity - 1) bytes at most)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// A listening socket at `path` (a stale one from an earlier run is replaced).
    static func listen(at path: String) throws -> Int32 {
        var address = try address(path)
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 4) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SocketError("cannot listen on \(path): \(message)")
        }
        return fd
    }

    static func connect(to path: String) throws -> Int32 {
        var address = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket: \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SocketError("cannot connect to \(path): \(message)")
        }
        return fd
    }

    struct SocketError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
