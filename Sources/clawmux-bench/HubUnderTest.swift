import ClawMuxTesting
import Foundation
import WireJSON

/// The release `clawmux serve` under measurement, with a config written for the run: the fake
/// engines, the demo agent in bench mode as every session's agent, the chosen spawner.
final class HubUnderTest: Sendable {
    let hub: HubProcess

    var port: Int { hub.port }
    var token: String { hub.token }
    var directory: URL { hub.directory }
    /// From the process start to the "listening" line on its stdout.
    var startToListening: Duration { hub.startToListening }
    var workRoot: String { hub.workRoot }
    var pid: pid_t { hub.pid }
    /// Where sessions on hosts keep their files (the hosts share this file system): the prefix
    /// of the hub's places, `~/.cache/clawmux/<hub id>-`.
    var hostPlacesPrefix: String? {
        guard let id = try? String(contentsOfFile: directory.appendingPathComponent("state/hub-id").path, encoding: .utf8) else { return nil }
        return (NamespaceHost.home ?? NSHomeDirectory()) + "/.cache/clawmux/" + id.trimmingCharacters(in: .whitespacesAndNewlines) + "-"
    }

    /// The `hosts:` entry of the run's host number `index` (from 0).
    static func hostName(_ index: Int) -> String { "host\(index + 1)" }

    /// GET /api/hosts until every host is connected.
    func waitForHosts(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let hosts = try await hub.rest.get("/api/hosts").json?.arrayValue ?? []
            if hosts.count == count && hosts.allSatisfy({ $0["status"]?.stringValue == "connected" }) { return }
            guard ContinuousClock.now < deadline else { throw BenchFailure("hosts not connected: \(hosts.map { $0.encodedText() })") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    struct Setup: Sendable {
        var clawmux: String
        var spawner: String
        var sessions: Int
        var turns: Int
        var enginesURL: String
        var statusCalls: Int
        var pauseMs: Int
        /// Hosts the sessions are spread over (their `hosts:` entries are named host1, host2, …).
        var hosts: [NamespaceHost] = []
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
            """ + (setup.hosts.isEmpty ? "" : "\nhosts:\n" + setup.hosts.enumerated().map { index, host in
                let options = host.sshOptions.map { "\"\($0)\"" }.joined(separator: ", ")
                return "  \(hostName(index)): {destination: \"\(host.destination)\", identity: \"\(host.key)\", options: [\(options)]}"
            }.joined(separator: "\n"))
        let configPath = directory.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        // The run's directory stays: a failed run is looked at there (BenchRun removes a good one's).
        let hub = try await HubProcess.launch(
            executable: setup.clawmux, configPath: configPath, directory: directory, keepsDirectory: true)
        return HubUnderTest(hub: hub)
    }

    private init(hub: HubProcess) {
        self.hub = hub
    }

    /// POST /api/sessions (waiting until ready), on `host` if given: the snapshot, or the error text.
    func createSession(host: String? = nil) async throws -> JSONValue {
        let reply = try await hub.rest.post("/api/sessions", json: host.map { .object(["host": .string($0)]) }, timeout: .seconds(180))
        guard reply.status == 200, let json = reply.json else {
            throw BenchFailure("POST /api/sessions: \(reply.status) \(reply.text)")
        }
        return json
    }

    /// Ends the hub the way a user does (its stdin closes, as with Ctrl-C in a terminal). A hub
    /// that has not exited 30 s later is killed, with everything under its work root, and the
    /// run fails: a benchmark must never hang (CI runs it).
    func stop() async throws {
        guard !(await hub.closeInputAndWait(limit: .seconds(30))) else { return }
        kill(pid, SIGKILL)
        for pid in ProcessStats.processes(under: workRoot, where: { _ in true }) { kill(pid, SIGKILL) }
        throw BenchFailure("the hub did not exit within 30 s of its stdin closing (see \(directory.path)/hub.log)")
    }
}
