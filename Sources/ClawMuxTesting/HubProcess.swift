import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `clawmux serve` process on a free port, for the tests and the benchmark. It also
/// exits when the process that started it dies (its stdin pipe closes).
public final class HubProcess: Sendable {
    public let process: Process
    public let port: Int
    public let directory: URL
    private let stdin: FileHandle
    public let logPath: String
    /// The tmux server (`tmux -L <socket>`) this hub's tmux spawner uses.
    public let tmuxSocket: String
    /// The access token (`CLAWMUX_TOKEN`) the hub was started with.
    public let token: String
    /// From the process start to its "listening" line.
    public let startToListening: Duration
    /// Whether `deinit` leaves the hub's directory (config, log) for a look afterwards.
    private let keepsDirectory: Bool

    /// REST calls with this hub's token.
    public var rest: REST { REST(baseURL: baseURL, token: token) }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var workRoot: String { directory.appendingPathComponent("sessions").path }
    public var pid: pid_t { process.processIdentifier }

    /// Starts `executable serve --config configPath` with its own token and state dir (under
    /// `directory`) unless `environment` names them.
    public static func launch(
        executable: String, configPath: String, directory: URL, arguments: [String] = [], environment: [String: String] = [:],
        unset: [String] = [], tmuxSocket socket: String = "default", keepsDirectory: Bool = false
    ) async throws -> HubProcess {
        let logPath = directory.appendingPathComponent("hub.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", configPath, "--exit-on-stdin-close"] + arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "VOICE_CHAT_HUB_PORT")
        env.removeValue(forKey: "VOICE_CHAT_TIMEOUT")
        // Each hub its own token, and its own state dir (no token file in the user's home).
        env["CLAWMUX_TOKEN"] = "test-token-\(UUID().uuidString)"
        env["CLAWMUX_STATE_DIR"] = directory.appendingPathComponent("state").path
        env.merge(environment) { $1 }
        for name in unset { env.removeValue(forKey: name) }
        process.environment = env
        let stdin = Blocking.pipe(), stdout = Blocking.pipe()
        process.standardInput = stdin.read
        process.standardOutput = stdout.write
        process.standardError = FileHandle(forWritingAtPath: logPath)
        let started = ContinuousClock.now
        try process.run()
        // The child has its copies; ours would keep the pipes open.
        try stdin.read.close()
        try stdout.write.close()

        let port = try await Self.readPort(from: stdout.read, process: process, logPath: logPath)
        return HubProcess(process: process, port: port, directory: directory, stdin: stdin.write, logPath: logPath,
                          tmuxSocket: socket, token: env["CLAWMUX_TOKEN"] ?? "", startToListening: ContinuousClock.now - started,
                          keepsDirectory: keepsDirectory)
    }

    private init(
        process: Process, port: Int, directory: URL, stdin: FileHandle, logPath: String, tmuxSocket: String, token: String,
        startToListening: Duration, keepsDirectory: Bool
    ) {
        self.startToListening = startToListening
        self.keepsDirectory = keepsDirectory
        self.tmuxSocket = tmuxSocket
        self.token = token
        self.process = process
        self.port = port
        self.directory = directory
        self.stdin = stdin
        self.logPath = logPath
    }

    /// Waits for "ClawMux hub listening on http://127.0.0.1:PORT/".
    private static func readPort(from handle: FileHandle, process: Process, logPath: String) async throws -> Int {
        let line = await Blocking.run { () -> String? in
            var data = Data()
            while true {
                let byte = handle.readData(ofLength: 1)
                if byte.isEmpty { return nil }
                if byte == Data("\n".utf8) { return String(decoding: data, as: UTF8.self) }
                data.append(byte)
            }
        }
        guard let line, let range = line.range(of: "127.0.0.1:"),
              let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw TestFailure("the hub did not start: \(line ?? "no output")\n\(log)")
        }
        return port
    }

    /// Ends the hub the way a user's terminal does (its stdin closes) and waits up to `limit`;
    /// false when it is still running then.
    public func closeInputAndWait(limit: Duration) async -> Bool {
        try? stdin.close()
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    /// Asks the hub to stop (SIGTERM) without waiting: the hub ends its sessions by itself.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    /// Asks the hub to stop and waits for it (off the cooperative pool); returns how long it took.
    public func stopAndWait() async -> Duration {
        let started = ContinuousClock.now
        let process = self.process
        await Blocking.run {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        return ContinuousClock.now - started
    }

    /// Kills the hub with SIGKILL (nothing of its shutdown runs) and waits, off the cooperative
    /// pool: a blocked thread there stalls every other test of the run.
    public func kill() async {
        let process = self.process
        await Blocking.run {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    deinit {
        // Stopping ends the hub's sessions too (tmux sessions, agents, dirs).
        if process.isRunning { process.terminate() }
        // CLAWMUX_TEST_KEEP=1 keeps the hub's dir (config, log) for a look after the run.
        if !keepsDirectory, ProcessInfo.processInfo.environment["CLAWMUX_TEST_KEEP"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
