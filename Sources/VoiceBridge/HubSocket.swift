#if canImport(FoundationEssentials)
import FoundationEssentials
import BridgeProtocol
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A WebSocket client on a plain blocking socket: all the bridge needs to talk to its hub
/// (text messages, ping/pong, close), without an event-loop library in a process that lives as
/// long as the agent. Reads happen on one thread; writes from any, one at a time.
final class HubSocket: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case connect(String)
        case refused(String)

        var description: String {
            switch self {
            case .connect(let detail): "cannot connect: \(detail)"
            case .refused(let status): "the hub refused the connection: \(status)"
            }
        }
    }

    private let fd: Int32
    private let writing = Mutex(())
    /// Bytes read past the last frame; only the reading thread touches it.
    private let pending = Mutex<[UInt8]>([])
    /// When the hub was last heard, and how quiet it may be: a connection whose far end
    /// vanished (an SSH link cut, a host asleep) is noticed, not waited on for ever.
    private let lastHeard = Mutex(ContinuousClock.now)
    private let pingInterval: Duration
    private static let maxMessage = 16 << 20

    private init(fd: Int32, pingInterval: Duration) {
        self.fd = fd
        self.pingInterval = pingInterval
    }

    deinit { Glibc.close(fd) }

    static func connect(_ environment: BridgeEnvironment) throws -> HubSocket {
        let fd = try open(environment)
        let socket = HubSocket(fd: fd, pingInterval: environment.pingInterval)
        var key = [UInt8](repeating: 0, count: 16)
        var random = SystemRandomNumberGenerator()
        for index in key.indices { key[index] = UInt8.random(in: 0...255, using: &random) }
        var request = "GET \(environment.path) HTTP/1.1\r\nHost: \(environment.hostHeader)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n"
        if let token = environment.token { request += "Authorization: Bearer \(token)\r\n" }
        // This bridge says when its agent has finished the MCP handshake (`agent_ready`): the
        // hub waits for that, not for the connection, before it calls the session ready.
        request += "\(BridgeProtocol.handshakeHeader): 1\r\n\r\n"
        guard socket.writeAll(Array(request.utf8)) else { throw Failure.connect("the hub closed the connection") }
        // The answer's head, up to the blank line; what follows belongs to the first frame.
        var head: [UInt8] = []
        let end: [UInt8] = [13, 10, 13, 10]
        while !(head.count >= 4 && Array(head.suffix(4)) == end) {
            guard head.count < 16_384, let byte = socket.readExact(1, handshake: true)?.first else { throw Failure.connect("no answer to the upgrade") }
            head.append(byte)
        }
        let status = String(decoding: head.prefix { $0 != 13 }, as: UTF8.self)
        guard status.split(separator: " ").dropFirst().first == "101" else { throw Failure.refused(status) }
        socket.keepAlive()
        return socket
    }

    /// The connection to the hub the environment names: its UNIX socket, or host and port.
    static func open(_ environment: BridgeEnvironment, timeoutSeconds: Int = 5) throws -> Int32 {
        if let path = environment.socketPath { return try openUnix(path: path, timeoutSeconds: timeoutSeconds) }
        return try openTCP(host: environment.host, port: environment.port, timeoutSeconds: timeoutSeconds)
    }

    static func openUnix(path: String, timeoutSeconds: Int) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure.connect("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect(String(cString: strerror(errno))) }
        setTimeouts(fd, seconds: timeoutSeconds)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure.connect("\(path): \(reason)")
        }
        return fd
    }

    private static func setTimeouts(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A TCP connection with Nagle off (small messages go out at once) and bounded connect time.
    static func openTCP(host: String, port: Int, timeoutSeconds: Int = 5) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            throw Failure.connect("cannot resolve \(host)")
        }
        defer { freeaddrinfo(results) }
        var lastError = "no address for \(host)"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            setTimeouts(fd, seconds: timeoutSeconds)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = String(cString: strerror(errno))
            Glibc.close(fd)
        }
        throw Failure.connect(lastError)
    }

    /// After the handshake: writes wait as long as they must (one that timed out would leave
    /// half a frame on the wire); a read wakes each ping interval, so a quiet hub is pinged and
    /// a silent one noticed.
    private func keepAlive() {
        var none = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        let micros = pingInterval.microseconds
        var wake = timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wake, socklen_t(MemoryLayout<timeval>.size))
        lastHeard.withLock { $0 = .now }
    }

    // MARK: Frames

    /// The next text message; nil once the connection is closed (by either side, or broken).
    func receive() -> String? {
        var message: [UInt8] = []
        while true {
            guard let header = readExact(2) else { return nil }
            let final = header[0] & 0x80 != 0
            let opcode = header[0] & 0x0F
            var length = Int(header[1] & 0x7F)
            if length == 126 {
                guard let bytes = readExact(2) else { return nil }
                length = Int(bytes[0]) << 8 | Int(bytes[1])
            } else if length == 127 {
                guard let bytes = readExact(8) else { return nil }
                length = bytes.reduce(0) { $0 << 8 | Int($1) }
            }
            guard length >= 0, length <= Self.maxMessage else { return nil }
            let mask = header[1] & 0x80 != 0 ? readExact(4) : nil
            guard var payload = readExact(length) else { return nil }
            if let mask { for index in payload.indices { payload[index] ^= mask[index % 4] } }
            switch opcode {
            case 0x8:
                _ = send(opcode: 0x8, payload: Array(payload.prefix(2)))
                return nil
            case 0x9:
                _ = send(opcode: 0xA, payload: payload)
            case 0xA:
                break
            case 0x0, 0x1, 0x2:
                message += payload
                guard message.count <= Self.maxMessage else { return nil }
                if final { return String(decoding: message, as: UTF8.self) }
            default:
                return nil
            }
        }
    }

    /// False when the connection is gone.
    func sendText(_ text: String) -> Bool {
        send(opcode: 0x1, payload: Array(text.utf8))
    }

    private func send(opcode: UInt8, payload: [UInt8]) -> Bool {
        var frame: [UInt8] = [0x80 | opcode]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame.append(0x80 | 127); frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        // Clients must mask; a fresh key per frame, as the protocol asks.
        var random = SystemRandomNumberGenerator()
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255, using: &random) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return writeAll(frame)
    }

    /// Wakes a thread blocked in `receive` (it then returns nil) and refuses further writes.
    func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    // MARK: Bytes

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        writing.withLock { _ in
            guard writeFully(fd, bytes, socket: true) else {
                // Never leave a partial frame on a live connection: end it (the reader
                // notices, and the link reconnects and sends again).
                _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
                return false
            }
            return true
        }
    }

    /// `handshake`: a read timeout is the end (the connect-time limit); afterwards it is a
    /// quiet interval: the hub is pinged, and after three silent ones the connection is over.
    private func readExact(_ count: Int, handshake: Bool = false) -> [UInt8]? {
        pending.withLock { buffer -> [UInt8]? in
            var chunk = [UInt8](repeating: 0, count: 16_384)
            while buffer.count < count {
                let received = recv(fd, &chunk, chunk.count, 0)
                if received < 0 && errno == EINTR { continue }
                if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !handshake {
                    guard ContinuousClock.now - lastHeard.withLock({ $0 }) < pingInterval * 3 else { return nil }
                    guard send(opcode: 0x9, payload: []) else { return nil }
                    continue
                }
                guard received > 0 else { return nil }
                lastHeard.withLock { $0 = .now }
                buffer += chunk[0..<received]
            }
            let result = Array(buffer[0..<count])
            buffer.removeFirst(count)
            return result
        }
    }
}
