import ClawMuxTesting
import Foundation

/// The tests' hubs: a config written for each test (fake or real engines, a spawner, the demo
/// agent), the binary built next to the test bundle.
extension HubProcess {
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
            executable: TestPaths.clawmux, configPath: configPath, directory: directory, arguments: arguments, environment: environment,
            unset: unset, tmuxSocket: socket)
    }

    /// A hub on an existing config file (e.g. the repository's own), with extra `serve` arguments.
    static func start(name: String, configPath: String, arguments: [String], environment: [String: String]) async throws -> HubProcess {
        let directory = try TestPaths.temporaryDirectory(name)
        return try await launch(
            executable: TestPaths.clawmux, configPath: configPath, directory: directory, arguments: arguments, environment: environment)
    }

    static func defaultSpeechLines(ttsURL: String, sttURL: String, ttsFormat: String) -> [String] {
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

    /// A new hub on this one's config, state dir and token (and so its work root): what a user
    /// gets by starting the hub again.
    func successor(name: String, arguments: [String] = []) async throws -> HubProcess {
        try await HubProcess.start(
            name: name, configPath: directory.appendingPathComponent("config.yaml").path, arguments: arguments,
            environment: ["CLAWMUX_TOKEN": token, "CLAWMUX_STATE_DIR": directory.appendingPathComponent("state").path])
    }
}
