#if canImport(Glibc)
import Glibc
#endif
import WireJSON

/// `clawmux-mcp hook <session's .mcp.json> [payload]`: what Claude Code runs for each hook the
/// hub gave it (the payload on stdin), and Codex for its `notify` (the payload as the last
/// argument). It posts the payload to the session's hook endpoint with the
/// session's secret (both from the MCP config the hub wrote, so no secret is on a command line).
/// A hook must never hold the agent up or show on its screen: it gives up after two seconds,
/// prints nothing and always exits 0.
public enum HookSender {
    /// Payloads are cut off here; the hub takes up to 256 KiB.
    static let maxPayloadBytes = 256 << 10

    /// `payload`: given on the command line (Codex's `notify` appends it) instead of stdin.
    public static func run(mcpConfigPath: String, payload argument: String? = nil, input: Int32 = 0) {
        let payload = argument.map { Array($0.utf8) } ?? readAll(input, limit: maxPayloadBytes + 1)
        guard payload.count <= maxPayloadBytes,
              let config = readAll(path: mcpConfigPath, limit: 1 << 20),
              let environment = try? BridgeEnvironment(environmentVariables(inMCPConfig: config)) else { return }
        _ = post(payload, to: environment)
    }

    /// The bridge's environment in an MCP config: the server entry that names a session.
    static func environmentVariables(inMCPConfig bytes: [UInt8]) -> [String: String] {
        guard let servers = JSONValue.decode(bytes: bytes)?["mcpServers"]?.objectValue else { return [:] }
        for server in servers.values {
            guard let env = server["env"]?.objectValue, env["VOICE_HUB_SESSION_ID"] != nil else { continue }
            return env.compactMapValues(\.stringValue)
        }
        return [:]
    }

    /// The hub's HTTP status, or nil when it could not be reached in time.
    static func post(_ payload: [UInt8], to environment: BridgeEnvironment, timeoutSeconds: Int = 2) -> Int? {
        guard let fd = try? HubSocket.openTCP(host: environment.host, port: environment.port, timeoutSeconds: timeoutSeconds) else { return nil }
        defer { close(fd) }
        let host = environment.host.contains(":") ? "[\(environment.host)]:\(environment.port)" : "\(environment.host):\(environment.port)"
        var head = "POST \(environment.hookPath) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\n"
        if let token = environment.token { head += "Authorization: Bearer \(token)\r\n" }
        head += "\r\n"
        guard writeFully(fd, Array(head.utf8) + payload, socket: true) else { return nil }
        // "HTTP/1.1 200 OK": the status is all the hook needs.
        var status: [UInt8] = []
        var byte: UInt8 = 0
        while status.count < 64, read(fd, &byte, 1) == 1, byte != 13 { status.append(byte) }
        return String(decoding: status, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    private static func readAll(_ fd: Int32, limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < limit {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    private static func readAll(path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd, limit: limit)
    }
}
