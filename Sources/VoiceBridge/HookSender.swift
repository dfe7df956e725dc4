#if canImport(Glibc)
import Glibc
#endif
import WireJSON

/// `clawmux-mcp hook <session's .mcp.json> [payload]`: what Claude Code runs for each hook the
/// hub gave it (the payload on stdin), and Codex for its `notify` (the payload as the last
/// argument). It posts the payload to the session's hook endpoint with the
/// session's secret (both from the MCP config the hub wrote, so no secret is on a command line).
/// A report must never hold the agent up or show on its screen: it gives up after two seconds,
/// prints nothing and always exits 0. A permission request is the exception: it waits for the
/// user's decision and prints it for Claude Code (see `waitForDecision`).
public enum HookSender {
    /// Payloads are cut off here; the hub takes up to 256 KiB.
    static let maxPayloadBytes = 256 << 10
    /// How long a permission request keeps asking for a hub that went away mid-wait (restarted).
    static let reconnectSeconds = 30

    /// `payload`: given on the command line (Codex's `notify` appends it) instead of stdin.
    public static func run(mcpConfigPath: String, payload argument: String? = nil, input: Int32 = 0, output: Int32 = 1) {
        let payload = argument.map { Array($0.utf8) } ?? readAll(input, limit: maxPayloadBytes + 1)
        guard payload.count <= maxPayloadBytes,
              let config = readAll(path: mcpConfigPath, limit: 1 << 20),
              let environment = try? BridgeEnvironment(environmentVariables(inMCPConfig: config)) else { return }
        if JSONValue.decode(bytes: payload)?["hook_event_name"]?.stringValue == "PermissionRequest" {
            waitForDecision(payload, environment: environment, output: output)
        } else {
            _ = post(payload, to: environment)
        }
    }

    /// The hub holds the request until the user decides; its answer (Claude Code's
    /// `hookSpecificOutput`) goes to stdout. A hub that cannot be reached: nothing is printed and
    /// the agent's own dialog decides. A hub that goes away mid-wait (restarted) is asked again
    /// for a while; whatever happens, nothing is allowed without an answer.
    static func waitForDecision(_ payload: [UInt8], environment: BridgeEnvironment, output: Int32) {
        var reconnectDeadline: Int?
        while true {
            switch exchange(payload, with: environment, waitForAnswer: true) {
            case .answered(let status, let body):
                if status == 200, JSONValue.decode(bytes: body)?["hookSpecificOutput"] != nil {
                    _ = writeFully(output, body + [10], socket: false)
                }
                return
            case .dropped:
                reconnectDeadline = reconnectDeadline ?? monotonicSeconds() + reconnectSeconds
            case .unreachable:
                // Never reached: the hub is down; don't hold the agent up.
                guard reconnectDeadline != nil else { return }
            }
            guard let deadline = reconnectDeadline, monotonicSeconds() < deadline else { return }
            usleep(500_000)
        }
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
        if case .answered(let status, _) = exchange(payload, with: environment, timeoutSeconds: timeoutSeconds) { return status }
        return nil
    }

    enum Exchange: Equatable {
        case answered(status: Int, body: [UInt8])
        /// No connection could be made.
        case unreachable
        /// Connected, but the connection ended without a whole answer.
        case dropped
    }

    /// One `POST` of the payload; `waitForAnswer`: the answer may take as long as the user does.
    static func exchange(_ payload: [UInt8], with environment: BridgeEnvironment, timeoutSeconds: Int = 2, waitForAnswer: Bool = false) -> Exchange {
        guard let fd = try? HubSocket.open(environment, timeoutSeconds: timeoutSeconds) else { return .unreachable }
        defer { close(fd) }
        var head = "POST \(environment.hookPath) HTTP/1.1\r\nHost: \(environment.hostHeader)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\n"
        if let token = environment.token { head += "Authorization: Bearer \(token)\r\n" }
        head += "\r\n"
        guard writeFully(fd, Array(head.utf8) + payload, socket: true) else { return .dropped }
        if waitForAnswer {
            var none = timeval(tv_sec: 0, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        }
        // Connection: close — the answer is everything up to the end.
        let response = readAll(fd, limit: 1 << 20)
        guard let split = headerEnd(response) else { return .dropped }
        // "HTTP/1.1 200 OK"
        let statusLine = String(decoding: response.prefix { $0 != 13 }, as: UTF8.self)
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return .dropped }
        return .answered(status: status, body: Array(response[split...]))
    }

    /// Where the body starts (after the blank line), if the head is complete.
    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    private static func monotonicSeconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec
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
