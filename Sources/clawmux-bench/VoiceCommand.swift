import ArgumentParser
import ClawMuxTesting
import Foundation
import WireJSON

/// `clawmux-bench voice`: the latency a person feels, with the real page in headless Chromium,
/// real engines (Piper or Kokoro; faster-whisper-server with tiny.en, launched by the hub) and a
/// fake microphone that says a sentence with a pause in it (Tests/Browser/latency.py).
struct VoiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voice",
        abstract: "Perceived latency through the page: converse → first sound, end of speech → the agent has the text, tap → silence.")

    @Option(help: "Converse turns; the first warms the engines and is not counted, every second one is interrupted by a tap.")
    var turns: Int = 21
    @Option(help: "piper, or kokoro (a fastkokoro at --kokoro-url: scripts/engines.sh start --kokoro-port N).")
    var tts: String = "piper"
    @Option(help: "The Kokoro server for --tts kokoro.")
    var kokoroURL: String = "http://127.0.0.1:8880"
    @Option(help: "What Kokoro streams: mp3 or pcm.")
    var kokoroFormat: String = "mp3"
    @Option(help: "Seconds of silence inside the spoken answer.")
    var pause: Double = 0.7
    @Option(help: "The page's pause that ends an answer in ms, as if set in ⚙ (default: the page's own).")
    var vadSilenceMs: Int?
    @Option(help: "The repository (its .venv, engines/, static/ and Tests/Browser/).")
    var repo: String = FileManager.default.currentDirectoryPath
    @Option(help: "The clawmux binary to measure (default: the one next to this benchmark).")
    var clawmux: String?
    @Option(help: "The page to serve (default: the repository's static/), to compare another version.")
    var staticDir: String?
    @Option(help: "Also write the JSON result to this file.")
    var json: String?
    @Flag(help: "Launch faster-whisper-server with the model's own decoding instead of engines/whisper-tiny.en.yaml (int8, greedy): how it was before.")
    var plainWhisper = false
    @Flag(help: "Keep the run's directory (config, hub log, WAV).")
    var keep = false

    static let question = "Shall I run the whole test suite now?"
    static let longMessage = """
        I looked at the failing test in the parser. It fails because the fixture is out of date, \
        and the snapshot was recorded before the last change to the tokenizer. \
        I can update the snapshot, or I can fix the fixture by hand. Which one would you like?
        """
    static let answer = ["Yes, please run all of the tests", "and then commit the change."]

    func run() async throws {
        guard turns >= 3 else { throw ValidationError("--turns must be at least 3 (one warm-up)") }
        guard ["piper", "kokoro"].contains(tts) else { throw ValidationError("--tts is piper or kokoro") }
        let root = URL(fileURLWithPath: repo)
        let path = { (relative: String) in root.appendingPathComponent(relative).path }
        let binary = clawmux ?? TurnsCommand.sibling("clawmux")
        guard FileManager.default.fileExists(atPath: path("engines/whisper-tiny.en.yaml")) else {
            throw ValidationError("no engines/whisper-tiny.en.yaml: run scripts/setup-engines.sh (or pass --repo)")
        }
        for (file, hint) in [(binary, "build clawmux"), (path(".venv/bin/python"), "run scripts/setup-engines.sh"),
                             (path(".venv/bin/piper"), "run scripts/setup-engines.sh"),
                             (path(".venv/bin/faster-whisper-server"), "run scripts/setup-engines.sh")]
        where !FileManager.default.isExecutableFile(atPath: file) {
            throw ValidationError("no \(file): \(hint) (or pass --repo)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clawmux-voice-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("config.yaml").path
        try config(binary: binary, path: path, directory: directory).write(toFile: configPath, atomically: true, encoding: .utf8)

        let hub = try await HubProcess.launch(
            executable: binary, configPath: configPath, directory: directory, arguments: ["--log-level", "debug"], keepsDirectory: true)
        var output = ""
        do {
            let reply = try await hub.rest.post("/api/sessions", timeout: .seconds(180))
            guard reply.status == 200, let session = reply.json?["session_id"]?.stringValue,
                  let workDir = reply.json?["work_dir"]?.stringValue else {
                throw BenchFailure("POST /api/sessions: \(reply.status) \(reply.text)")
            }
            var argv = [path(".venv/bin/python"), path("Tests/Browser/latency.py"),
                        "--url", "http://127.0.0.1:\(hub.port)", "--token", hub.token, "--session", session,
                        "--report", workDir + "/bench.jsonl", "--start-fifo", workDir + "/bench.go",
                        "--hub-log", hub.logPath, "--turns", "\(turns)", "--pause", "\(pause)",
                        "--piper", path(".venv/bin/piper"), "--piper-model", path("engines/piper/en_US-joe-medium.onnx"),
                        "--workdir", directory.appendingPathComponent("browser").path]
            for part in Self.answer { argv += ["--answer", part] }
            if let vadSilenceMs { argv += ["--vad-silence", "\(vadSilenceMs)"] }
            output = try await Self.capture(argv)
        } catch {
            _ = await hub.closeInputAndWait(limit: .seconds(30))
            throw BenchFailure("\(error) (hub log: \(hub.logPath))")
        }
        _ = await hub.closeInputAndWait(limit: .seconds(30))
        guard let line = output.split(separator: "\n").last.map(String.init), let result = JSONValue.decode(line) else {
            throw BenchFailure("latency.py printed no result: \(output.suffix(2000)) (hub log: \(hub.logPath))")
        }
        if let json { try line.write(toFile: json, atomically: true, encoding: .utf8) }
        guard result["ok"]?.boolValue == true else {
            print(line)
            throw BenchFailure("the run failed (kept: \(directory.path))")
        }
        print("voice latency, \(tts == "piper" ? "Piper" : "Kokoro \(kokoroFormat)") + faster-whisper-server tiny.en, \(turns - 1) turns after a warm-up")
        print(result["table"]?.stringValue ?? "")
        if json == nil { print(line) }
        if !keep { try? FileManager.default.removeItem(at: directory) }
    }

    private func config(binary: String, path: (String) -> String, directory: URL) throws -> String {
        let sttPort = try FreePort.pick()
        var agent = [binary, "demo-agent", "--bench-turns", "\(turns)", "--bench-report", "{work_dir}/bench.jsonl",
                     "--bench-start", "{work_dir}/bench.go", "--bench-expect", Self.answer.joined(separator: " ")]
        for turn in 1...2 { agent += ["--bench-message", turn % 2 == 1 ? Self.question : Self.longMessage] }
        let quoted = { (items: [String]) in "[" + items.map { JSONValue.string($0).encodedText() }.joined(separator: ", ") + "]" }
        let voice = tts == "piper" ? "[piper]" : "[{backend: kokoro, voice: af_sky}]"
        return """
            server: {host: 127.0.0.1, port: 0, static_dir: \(JSONValue.string(staticDir ?? path("static")).encodedText())}
            sessions:
              spawner: pty
              command: \(quoted(agent))
              work_root: \(directory.appendingPathComponent("sessions").path)
              ready_timeout: 120s
            backends:
              pty: {plugin: pty}
              piper: {plugin: piper, executable: \(JSONValue.string(path(".venv/bin/piper")).encodedText()), model: \(JSONValue.string(path("engines/piper/en_US-joe-medium.onnx")).encodedText())}
              kokoro: {plugin: kokoro-http, url: \(JSONValue.string(kokoroURL).encodedText()), response_format: \(kokoroFormat), streaming: true, speed_range: [1, 2]}
              whisper:
                plugin: whisper-http
                url: http://127.0.0.1:\(sttPort)
                launch:
                  argv: \(quoted([path(".venv/bin/faster-whisper-server")] + (plainWhisper ? [path("engines/whisper-tiny.en")] : ["--config", path("engines/whisper-tiny.en.yaml")]) + ["--host", "127.0.0.1", "--port", "\(sttPort)"]))
                  env: {HF_HUB_OFFLINE: "1"}
                  health: http://127.0.0.1:\(sttPort)/health
                  start: startup
            voices:
              bench: {label: Bench, chain: \(voice)}
            stt: {chain: [whisper], language: en}
            """
    }

    /// Runs a process to its end; its stdout (stderr passes through).
    static func capture(_ argv: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = await Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
