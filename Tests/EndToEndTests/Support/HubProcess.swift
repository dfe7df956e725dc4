import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `clawmux serve` process on a free port with a config written for the test.
/// It also exits when the test process dies (its stdin pipe closes).
final class HubProcess: Sendable {
    let process: Process
    let port: Int
    let directory: URL
    private let stdin: FileHandle
    let logPath: String
    /// The tmux server (`tmux -L <socket>`) this hub's tmux spawner uses.
    let tmuxSocket: String
    /// The access token (`CLAWMUX_TOKEN`) the hub was started with.
    let token: String

    /// REST calls with this hub's token.
    var rest: REST { REST(baseURL: baseURL, token: token) }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var workRoot: String { directory.appendingPathComponent("sessions").path }

    /// `speechLines`, when given, replace the speech backends, `voices:` and `stt:` (they follow
    /// the spawner backends, so they start with more `backends:` entries, indented by two).
    static func start(
        name: String, ttsURL: String = "", sttURL: String = "", spawner: String = "tmux",
        command: [String]? = ["clawmux", "demo-agent"], extraSessionLines: [String] = [],
        ttsFormat: String = "mp3", environment: [String: String] = [:], speechLines: [String]? = nil,
        serverLines: [String] = [], arguments: [String] = [], topLevelLines: [String] = [], unset: [String] = []
    ) async throws -> HubProcess {
        let directory = try TestPaths.temporaryDirectory(name)
        let socket = "clawmux-test-\(UUID().uuidString.prefix(8))"
        // nil: no `sessions.command`, the agent profiles (`agents:` in topLevelLines) decide.
        let commandLine = command.map { "  command: [" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" } ?? ""
        let yaml = """
            server:
              host: 127.0.0.1
              port: 0
              static_dir: \(TestPaths.packageRoot.appendingPathComponent("static").path)
            \(serverLines.map { "  " + $0 }.joined(separator: "\n"))
            sessions:
              spawner: \(spawner)
            \(commandLine)
              work_root: \(directory.appendingPathComponent("sessions").path)
            \(extraSessionLines.contains { $0.hasPrefix("ready_timeout") } ? "" : "  ready_timeout: 30s")
            \(extraSessionLines.map { "  " + $0 }.joined(separator: "\n"))
            backends:
              tmux: {plugin: tmux, socket: \(socket)}
              pty: {plugin: pty}
            \((speechLines ?? Self.defaultSpeechLines(ttsURL: ttsURL, sttURL: sttURL, ttsFormat: ttsFormat)).joined(separator: "\n"))
            \(topLevelLines.joined(separator: "\n"))
            """
        let configPath = directory.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        return try await launch(
            configPath: configPath, directory: directory, arguments: arguments, environment: environment, unset: unset, tmuxSocket: socket)
    }

    /// A hub on an existing config file (e.g. the repository's own), with extra `serve` arguments.
    static func start(name: String, configPath: String, arguments: [String], environment: [String: String]) async throws -> HubProcess {
        let directory = try TestPaths.temporaryDirectory(name)
        return try await launch(configPath: configPath, directory: directory, arguments: arguments, environment: environment, tmuxSocket: "default")
    }

    private static func launch(
        configPath: String, directory: URL, arguments: [String], environment: [String: String], unset: [String] = [],
        tmuxSocket socket: String
    ) async throws -> HubProcess {
        let logPath = directory.appendingPathComponent("hub.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.clawmux)
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
        try process.run()
        // The child has its copies; ours would keep the pipes open.
        try stdin.read.close()
        try stdout.write.close()

        let port = try await Self.readPort(from: stdout.read, process: process, logPath: logPath)
        return HubProcess(process: process, port: port, directory: directory, stdin: stdin.write, logPath: logPath,
                          tmuxSocket: socket, token: env["CLAWMUX_TOKEN"] ?? "")
    }

    private static func defaultSpeechLines(ttsURL: String, sttURL: String, ttsFormat: String) -> [String] {
        [
            "  tts: {plugin: kokoro-http, url: \"\(ttsURL)\", response_format: \(ttsFormat), timeout: 60s}",
            "  stt: {plugin: whisper-http, url: \"\(sttURL)\", timeout: 60s}",
            "voices:",
            "  af_sky: {backend: tts, voice: af_sky, label: Sky}",
            "  am_adam: {backend: tts, voice: am_adam, label: Adam}",
            "stt:",
            "  backend: stt",
            "  language: en",
        ]
    }

    private init(process: Process, port: Int, directory: URL, stdin: FileHandle, logPath: String, tmuxSocket: String, token: String) {
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

    /// Asks the hub to stop (SIGTERM) without waiting: the hub ends its sessions by itself.
    func stop() {
        if process.isRunning { process.terminate() }
    }

    /// Asks the hub to stop and waits for it (off the cooperative pool); returns how long it took.
    func stopAndWait() async -> Duration {
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
    func kill() async {
        let process = self.process
        await Blocking.run {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A new hub on this one's config, state dir and token (and so its work root): what a user
    /// gets by starting the hub again.
    func successor(name: String, arguments: [String] = []) async throws -> HubProcess {
        try await HubProcess.start(
            name: name, configPath: directory.appendingPathComponent("config.yaml").path, arguments: arguments,
            environment: ["CLAWMUX_TOKEN": token, "CLAWMUX_STATE_DIR": directory.appendingPathComponent("state").path])
    }

    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    deinit {
        // Stopping ends the hub's sessions too (tmux sessions, agents, dirs).
        if process.isRunning { process.terminate() }
        // CLAWMUX_TEST_KEEP=1 keeps the hub's dir (config, log) for a look after the run.
        if ProcessInfo.processInfo.environment["CLAWMUX_TEST_KEEP"] == nil {
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
