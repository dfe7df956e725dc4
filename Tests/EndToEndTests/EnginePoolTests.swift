import Foundation
import Testing
import ClawMuxTesting
import WireJSON

/// A speech backend of two endpoints (`urls:`), each a real process (Tests/Fixtures/forward.py in
/// front of the fake engines): one is killed between turns and no turn fails; the hub shows it down.
@Suite("Engine pools")
struct EnginePoolTests {
    /// A forwarding engine on a free port, answering once it listens.
    static func forwarder(to target: String) async throws -> (process: Process, url: String) {
        let port = try FreePort.pick()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/forward.py").path, "\(port)", target]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let url = "http://127.0.0.1:\(port)"
        let deadline = ContinuousClock.now + .seconds(20)
        while (try? await REST(baseURL: url).get("/v1/models").status) != 200 {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestFailure("the forwarder on \(port) never answered")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (process, url)
    }

    @Test("two endpoints: one killed between turns, every turn still answered; /api/backends shows it down")
    func oneEndpointDies() async throws {
        let engines = try await FakeSpeechServer.shared()
        let first = try await Self.forwarder(to: engines.url)
        let second = try await Self.forwarder(to: engines.url)
        // SIGKILL: a test process's threads block SIGTERM, and its children inherit that.
        defer { for process in [first.process, second.process] where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let urls = "[\"\(first.url)\", \"\(second.url)\"]"
        let hub = try await HubProcess.start(name: "pool", speechLines: [
            "  tts: {plugin: kokoro-http, urls: \(urls), response_format: mp3, timeout: 60s}",
            "  stt: {plugin: whisper-http, urls: \(urls), timeout: 60s}",
            "voices:",
            "  af_sky: {backend: tts, voice: af_sky, label: Sky}",
            "stt: {backend: stt}",
        ])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Conversation(browser: browser, sessionID: id)
        var turn = try await conversation.turn(after: 0, answer: Data("answer 0".utf8))
        #expect(String(decoding: turn.audio, as: UTF8.self).hasPrefix("AUDIO[af_sky]:Hello!"))
        for number in 1...6 {
            if number == 3 {
                kill(first.process.processIdentifier, SIGKILL)
                first.process.waitUntilExit()
            }
            let previous = number - 1
            turn = try await conversation.turn(after: turn.end, answer: Data("answer \(number)".utf8))
            #expect(turn.said == "You said: answer \(previous)", "turn \(number): \(turn.said)\n\(hub.log)")
            #expect(String(decoding: turn.audio, as: UTF8.self) == "AUDIO[af_sky]:You said: answer \(previous)")
        }
        let backends = try await hub.rest.get("/api/backends").json?.arrayValue ?? []
        for name in ["tts", "stt"] {
            let backend = try #require(backends.first { $0["name"]?.stringValue == name })
            #expect(backend["status"]?.stringValue == "ok", "the backend answers: \(backend)")
            let endpoints = backend["endpoints"]?.arrayValue ?? []
            let dead = endpoints.first { $0["address"]?.stringValue == first.url }
            let alive = endpoints.first { $0["address"]?.stringValue == second.url }
            #expect(dead?["status"]?.stringValue == "down" && dead?["last_error"]?.stringValue?.contains(first.url) == true, "\(name): \(endpoints)")
            #expect(alive?["status"]?.stringValue == "ok", "\(name): \(endpoints)")
        }
    }
}
