import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// What the browser tests share: a hub on the real engines (Piper as a subprocess, local-tts-studio
/// over HTTP, faster-whisper-server), the fake microphone's WAV, and where screenshots go.
enum BrowserUI {
    static let environment = ProcessInfo.processInfo.environment
    static var piper: String? { environment["CLAWMUX_TEST_PIPER"] }
    static var piperModel: String? { environment["CLAWMUX_TEST_PIPER_MODEL"] }

    /// The real engines scripts/test.sh starts. Chromium and the venv are then required, not
    /// optional: scripts/setup-engines.sh installs both, so their absence is a setup failure.
    static var available: Bool {
        RealEngines.available && piper != nil && piperModel != nil
    }

    static func requireBrowser() throws {
        for (path, what) in [(PageDriver.chromium, "chromium (apt; or set CLAWMUX_TEST_CHROMIUM)"),
                             (PageDriver.python, ".venv with playwright (scripts/setup-engines.sh)")]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw TestFailure("no \(what) at \(path)")
        }
    }

    /// What the fake microphone says.
    static let sentence = "Please run the unit tests now."

    /// Voice id → the backend that speaks it (two engines, so a voice change is visible in /api/backends).
    static let backendOfVoice = ["joe": "piper", "studio": "studio"]

    static var speechLines: [String] {
        [
            "  piper: {plugin: piper, executable: \"\(piper ?? "")\", model: \"\(piperModel ?? "")\", timeout: 60s}",
            "  studio: {plugin: kokoro-http, url: \"\(RealEngines.ttsURL ?? "")\", response_format: mp3, timeout: 120s}",
            "  whisper: {plugin: whisper-http, url: \"\(RealEngines.sttURL ?? "")\", timeout: 120s}",
            "voices:",
            "  joe: {label: Joe, backend: piper}",
            "  studio: {label: Studio, backend: studio, voice: en_US-joe-medium}",
            "stt:",
            "  backend: whisper",
            "  language: en",
        ]
    }

    /// A hub whose agents are the demo agent with `agent` options (tmux spawner).
    static func hub(_ name: String, agent: [String], arguments: [String] = [], topLevelLines: [String] = []) async throws -> HubProcess {
        try await HubProcess.start(
            name: "ui-\(name)", command: ["clawmux", "demo-agent"] + agent, speechLines: speechLines, arguments: arguments,
            topLevelLines: topLevelLines)
    }

    /// Screenshots and failure dumps of one scenario: git-ignored, kept after the run for a look.
    static func artifacts(_ scenario: String) -> URL {
        TestPaths.packageRoot.appendingPathComponent(".build/ui-artifacts/\(scenario)")
    }

    /// Runs drive.py's scenario against `hub`; returns its facts.
    /// `wav`/`expect`: another recording for the fake microphone than the sentence.
    static func drive(
        _ hub: HubProcess, _ scenario: String, wav: String? = nil, expect: String = sentence,
        onSync: (String, JSONValue) async throws -> JSONValue = { name, _ in throw TestFailure("unexpected sync \(name)") }
    ) async throws -> JSONValue {
        try requireBrowser()
        var microphone = wav ?? ""
        if wav == nil { microphone = try await FakeMic.shared.path() }
        let driver = try PageDriver(hub: hub, scenario: scenario, wav: microphone, expect: expect, directory: artifacts(scenario))
        let facts: JSONValue
        do {
            facts = try await driver.run(onSync: onSync)
        } catch {
            throw TestFailure("\(error)\nhub log (end):\n\(hub.log.suffix(3000))")
        }
        #expect(facts["page_errors"]?.arrayValue?.isEmpty != false, "uncaught errors in the page: \(facts["page_errors"] ?? .null)")
        return facts
    }

    /// The session's transcript as the hub keeps it: (role, text) pairs.
    static func transcript(_ hub: HubProcess, _ session: String) async throws -> [(role: String, text: String)] {
        let entries = try await hub.rest.get("/api/sessions/\(session)/transcript").json?["entries"]?.arrayValue ?? []
        return entries.map { ($0["role"]?.stringValue ?? "", $0["text"]?.stringValue ?? "") }
    }

    /// `GET /api/backends` → name → `last_used` (nil: never used).
    static func lastUsed(_ hub: HubProcess) async throws -> [String: Double] {
        let backends = try await hub.rest.get("/api/backends").json?.arrayValue ?? []
        var used: [String: Double] = [:]
        for backend in backends {
            if let name = backend["name"]?.stringValue, let time = backend["last_used"]?.doubleValue { used[name] = time }
        }
        return used
    }
}

/// The fake microphone's recording: the sentence spoken by Piper (`clawmux say`), made once per run.
actor FakeMic {
    static let shared = FakeMic()
    private var made: Task<String, any Error>?

    func path() async throws -> String {
        let task = made ?? Task { try await Self.make() }
        made = task
        return try await task.value
    }

    private static func make() async throws -> String {
        let directory = BrowserUI.artifacts("fake-mic")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("config.yaml").path
        let yaml = ["backends:"] + BrowserUI.speechLines + ["sessions: {spawner: pty}"]
        try yaml.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        let wav = directory.appendingPathComponent("answer.wav").path
        let argv = [TestPaths.clawmux, "say", "--config", config, "--voice", "joe", BrowserUI.sentence, "-o", wav]
        let said = await Blocking.run { try? ProcessInspection.run(argv) }
        guard said?.status == 0 else { throw TestFailure("clawmux say failed: \(said?.output ?? "not run")") }
        return wav
    }
}
