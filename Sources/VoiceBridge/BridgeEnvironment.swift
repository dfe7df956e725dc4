import BridgeProtocol

/// How the bridge finds its hub: the variables the hub writes into `.mcp.json`.
public struct BridgeEnvironment: Sendable {
    public let sessionID: String
    public let host: String
    public let port: Int
    /// A UNIX socket that leads to the hub; when set, host and port are not used.
    public let socketPath: String?
    /// The per-session secret; the original Python hub sends and needs none.
    public let token: String?
    /// How long a converse waits for a lost hub to come back before it is answered with an error.
    public let reconnectWindow: Duration
    /// How often a waiting converse reports progress to clients that asked for it.
    public let progressInterval: Duration
    /// How often the bridge pings a quiet hub; silence for three of these ends the connection.
    public let pingInterval: Duration

    public enum Problem: Error, CustomStringConvertible {
        case missing(String)
        case invalid(String, String)

        public var description: String {
            switch self {
            case .missing(let name): "\(name) is not set (the hub writes it into the session's .mcp.json)"
            case .invalid(let name, let value): "\(name) has an invalid value: \(value)"
            }
        }
    }

    public init(_ environment: [String: String]) throws(Problem) {
        typealias Names = BridgeProtocol.Environment
        guard let id = environment[Names.sessionID], !id.isEmpty else { throw .missing(Names.sessionID) }
        let portText = environment[Names.hubPort].flatMap { $0.isEmpty ? nil : $0 } ?? "3460"
        guard let port = Int(portText), (1...65535).contains(port) else { throw .invalid(Names.hubPort, portText) }
        let windowText = environment[Names.reconnectSeconds] ?? "60"
        guard let window = Double(windowText), window >= 0, window <= 86_400 else { throw .invalid(Names.reconnectSeconds, windowText) }
        let progressText = environment[Names.progressSeconds] ?? "15"
        guard let progress = Double(progressText), progress > 0, progress <= 86_400 else { throw .invalid(Names.progressSeconds, progressText) }
        progressInterval = .milliseconds(Int64(progress * 1000))
        let pingText = environment[Names.pingSeconds] ?? "5"
        guard let ping = Double(pingText), ping >= 0.1, ping <= 3600 else { throw .invalid(Names.pingSeconds, pingText) }
        pingInterval = .milliseconds(Int64(ping * 1000))
        socketPath = environment[Names.socket].flatMap { $0.isEmpty ? nil : $0 }
        // sun_path holds 108 bytes with its terminating zero.
        if let socketPath, socketPath.utf8.count > 107 || !socketPath.hasPrefix("/") {
            throw .invalid(Names.socket, socketPath)
        }
        sessionID = id
        self.port = port
        host = environment[Names.host].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        token = environment[Names.token].flatMap { $0.isEmpty ? nil : $0 }
        reconnectWindow = .milliseconds(Int64(window * 1000))
    }

    /// What the `Host` header names.
    var hostHeader: String {
        if socketPath != nil { return "localhost" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The request path `/mcp/{id}`, the id percent-encoded (the hub makes ids of [a-z0-9-]).
    public var path: String { "/mcp/" + escapedSessionID }

    /// Where the agent's hooks report: `/hooks/{id}`.
    public var hookPath: String { "/hooks/" + escapedSessionID }

    private var escapedSessionID: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        return sessionID.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : "%" + hex($0) }.joined()
    }

    /// `ws://host:port/mcp/{id}`; hosts with a colon (IPv6) are bracketed. Through a UNIX
    /// socket: `ws+unix://{path}:/mcp/{id}` (for messages only).
    public var url: String {
        if let socketPath { return "ws+unix://\(socketPath):\(path)" }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "ws://\(hostPart):\(port)\(path)"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
