import AsyncHTTPClient
import Foundation
import Hub
import NIOCore
import NIOHTTP1
import WireJSON

/// The release `clawmux serve` under measurement, with a config written for the run: the fake
/// engines, the demo agent in bench mode as every session's agent, the chosen spawner.
final class HubUnderTest: Sendable {
    let process: Process
    let port: Int
    let token: String
    let directory: URL
    /// From the process start to the "listening" line on its stdout.
    let startToListening: Duration
    private let stdin: FileHandle

    var workRoot: String { directory.appendingPathComponent("sessions").path }
    var pid: pid_t { process.processIdentifier }

    struct Setup: Sendable {
        var clawmux: String
        var spawner: String
        var sessions: Int
        var turns: Int
        var enginesURL: String
        var statusCalls: Int
        var pauseMs: Int
    }

    static func start(_ setup: Setup) async throws -> HubUnderTest {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clawmux-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let command = [setup.clawmux, "demo-agent", "--bench-turns", "\(setup.turns)",
                       "--bench-report", "{work_dir}/bench.jsonl", "--bench-start", "{work_dir}/bench.go",
                       "--bench-status-calls", "\(setup.statusCalls)", "--bench-pause-ms", "\(setup.pauseMs)"].map { "\"\($0)\"" }.joined(separator: ", ")
        let yaml = """
            server:
              host: 127.0.0.1
              port: 0
            sessions:
              spawner: \(setup.spawner)
              command: [\(command)]
              work_root: \(directory.appendingPathComponent("sessions").path)
              max_sessions: \(setup.sessions + 5)
              ready_timeout: 120s
            backends:
              pty: {plugin: pty}
              tmux: {plugin: tmux, socket: clawmux-bench-\(UUID().uuidString.prefix(8))}
              tts: {plugin: kokoro-http, url: "\(setup.enginesURL)", response_format: pcm, streaming: true, timeout: 60s}
              stt: {plugin: whisper-http, url: "\(setup.enginesURL)", timeout: 60s}
            voices:
              bench: {backend: tts, voice: bench, label: Bench}
            stt:
              backend: stt
            health:
              interval: 1h
            """
        let configPath = directory.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)

        let token = UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setup.clawmux)
        process.arguments = ["serve", "--config", configPath, "--exit-on-stdin-close"]
        var environment = ProcessInfo.processInfo.environment
        environment["CLAWMUX_TOKEN"] = token
        environment["CLAWMUX_STATE_DIR"] = directory.appendingPathComponent("state").path
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("hub.log").path, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory.appendingPathComponent("hub.log").path)
        let started = ContinuousClock.now
        try process.run()
        let line = await Task.detached { Self.readLine(output.fileHandleForReading) }.value
        let took = ContinuousClock.now - started
        guard let line, let range = line.range(of: "127.0.0.1:"),
              let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw BenchFailure("the hub did not start (see \(directory.path)/hub.log)")
        }
        return HubUnderTest(process: process, port: port, token: token, directory: directory, startToListening: took, stdin: input.fileHandleForWriting)
    }

    private init(process: Process, port: Int, token: String, directory: URL, startToListening: Duration, stdin: FileHandle) {
        self.process = process
        self.port = port
        self.token = token
        self.directory = directory
        self.startToListening = startToListening
        self.stdin = stdin
    }

    private static func readLine(_ handle: FileHandle) -> String? {
        var bytes: [UInt8] = []
        while true {
            guard let byte = try? handle.read(upToCount: 1), let first = byte.first else { return nil }
            if first == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(first)
        }
    }

    /// POST /api/sessions (waiting until ready): the snapshot, or the error text.
    func createSession() async throws -> JSONValue {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/sessions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(180))
        let body = try await response.body.collect(upTo: 1 << 20)
        let text = String(buffer: body)
        guard response.status == .ok, let json = JSONValue.decode(text) else {
            throw BenchFailure("POST /api/sessions: \(response.status.code) \(text)")
        }
        return json
    }

    /// Ends the hub the way a user does (its stdin closes, as with Ctrl-C in a terminal). A hub
    /// that has not exited 30 s later is killed, with everything under its work root, and the
    /// run fails: a benchmark must never hang (CI runs it).
    func stop() async throws {
        try? stdin.close()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        for pid in ProcessStats.processes(under: workRoot, where: { _ in true }) { kill(pid, SIGKILL) }
        throw BenchFailure("the hub did not exit within 30 s of its stdin closing (see \(directory.path)/hub.log)")
    }
}
