import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Routing through the real hub: voice chains fail over (closed port, HTTP 500, timeout), a
/// backend that failed is reported and used again once it is back, audio streams to browsers
/// that ask for it, and engines that do not stream get the text sentence by sentence.
/// The engines are fakes that misbehave on purpose; every plugin also has real-engine tests.
@Suite("Speech routing")
struct SpeechRoutingTests {
    let engines: FakeSpeechServer
    let key = UUID().uuidString.prefix(8).lowercased()

    init() async throws {
        engines = try await FakeSpeechServer.shared()
    }

    func url(_ mode: String) -> String { "\(engines.url)/k/\(key)/\(mode)" }

    /// A hub whose voice `sky` is spoken by `chain` (backend names declared in `backends`).
    func hub(
        _ name: String, backends: [String], chain: [String], sttChain: [String] = ["stt"],
        command: [String] = ["clawmux", "demo-agent"], voiceSTT: [String]? = nil
    ) async throws -> HubProcess {
        let ownSTT = voiceSTT.map { ", stt: [\($0.joined(separator: ", "))], language: en" } ?? ""
        return try await HubProcess.start(name: name, command: command, speechLines: backends.map { "  " + $0 } + [
            "  stt: {plugin: whisper-http, url: \"\(engines.url)\", timeout: 10s}",
            "voices:",
            "  sky: {label: Sky, chain: [\(chain.joined(separator: ", "))]\(ownSTT)}",
            "stt:",
            "  chain: [\(sttChain.joined(separator: ", "))]",
            "health: {interval: 1s, retry_interval: 300ms, timeout: 10s}",
        ])
    }

    func backends(_ hub: HubProcess) async throws -> [String: JSONValue] {
        let reply = try await hub.rest.get("/api/backends")
        var byName: [String: JSONValue] = [:]
        for entry in reply.json?.arrayValue ?? [] {
            if let name = entry["name"]?.stringValue { byName[name] = entry }
        }
        return byName
    }

    /// Starts a session and plays its greeting turn; returns the greeting's audio as text.
    func greeting(_ hub: HubProcess, hello: [String]? = nil) async throws -> (audio: String, browser: BrowserClient, id: String) {
        let browser = try await BrowserClient.connect(to: hub, hello: hello)
        let created = try await hub.rest.post("/api/sessions")
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)\n\(hub.log)")
        let turn = try await Conversation(browser: browser, sessionID: id).turn(after: 0, answer: nil)
        return (String(decoding: turn.audio, as: UTF8.self), browser, id)
    }

    @Test("closed port and HTTP 500 links are skipped: the next link speaks, /api/backends names the failures")
    func failover() async throws {
        let hub = try await hub("failover", backends: [
            "closed: {plugin: kokoro-http, url: \"http://127.0.0.1:9\", streaming: false, timeout: 30s}",
            "broken: {plugin: kokoro-http, url: \"\(url("fail"))\", streaming: false, timeout: 30s}",
            "good: {plugin: kokoro-http, url: \"\(engines.url)\", streaming: false, timeout: 30s}",
        ], chain: ["closed", "broken", "{backend: good, voice: good_voice}"])
        defer { hub.stop() }
        let (audio, _, _) = try await greeting(hub)
        #expect(audio.hasPrefix("AUDIO[good_voice]:Hello!"), "\(audio)\n\(hub.log)")
        let status = try await backends(hub)
        #expect(status["closed"]?["status"]?.stringValue == "down")
        #expect(status["closed"]?["last_error"]?.stringValue?.contains("unreachable") == true, "\(status["closed"] ?? .null)")
        #expect(status["broken"]?["status"]?.stringValue == "down")
        #expect(status["broken"]?["last_error"]?.stringValue?.contains("500") == true, "\(status["broken"] ?? .null)")
        #expect(status["good"]?["status"]?.stringValue == "ok")
        #expect(status["good"]?["latency_ms"]?.doubleValue != nil)
        let voices = try await hub.rest.get("/api/voices")
        #expect(voices.json?[0]?["healthy"]?.boolValue == true)
        #expect(voices.json?[0]?["active_backend"]?.stringValue == "good", "the first link not known to be down")
        #expect(voices.json?[0]?["chain"]?.arrayValue?.count == 3)
    }

    @Test("an engine that does not answer in time is left for the next link")
    func timeout() async throws {
        let hub = try await hub("timeout", backends: [
            "slow: {plugin: kokoro-http, url: \"\(url("hang"))\", streaming: false, timeout: 1s}",
            "good: {plugin: kokoro-http, url: \"\(engines.url)\", streaming: false, timeout: 30s}",
        ], chain: ["slow", "good"])
        defer { hub.stop() }
        let (audio, _, _) = try await greeting(hub)
        #expect(audio.hasPrefix("AUDIO[sky]:Hello!"), "\(audio)")
        // The timeout is noticed by the converse's call (or, on a loaded machine, by a probe first,
        // which then keeps the converse off the slow engine): either way it is logged as such.
        #expect(hub.log.contains("slow did not answer within 1.0 seconds"), "\(hub.log.suffix(3000))")
    }

    @Test("a failed backend is skipped until a probe passes, then speaks again")
    func recovery() async throws {
        let rest = REST(baseURL: engines.url)
        _ = try await rest.post("/control/\(key)/down")
        let hub = try await hub("recovery", backends: [
            "flaky: {plugin: kokoro-http, url: \"\(url("flaky"))\", streaming: false, timeout: 30s}",
            "good: {plugin: kokoro-http, url: \"\(engines.url)\", streaming: false, timeout: 30s}",
        ], chain: ["flaky", "good"])
        defer { hub.stop() }
        let (first, browser, id) = try await greeting(hub)
        #expect(first.hasPrefix("AUDIO[sky]:"), "the good link spoke while flaky was down: \(first)")
        #expect(try await backends(hub)["flaky"]?["status"]?.stringValue == "down")

        _ = try await rest.post("/control/\(key)/up")
        var status = ""
        for _ in 0..<100 where status != "ok" {
            try await Task.sleep(for: .milliseconds(100))
            status = try await backends(hub)["flaky"]?["status"]?.stringValue ?? ""
        }
        #expect(status == "ok", "a probe saw flaky come back")
        // The demo agent answers the greeting; its next words come from flaky again.
        let start = browser.messages.count
        try await browser.send(.object(["type": .string("audio"), "session_id": .string(id), "data": .string(Data("fine".utf8).base64EncodedString())]))
        let next = try await Conversation(browser: browser, sessionID: id).turn(after: start, answer: nil)
        #expect(String(decoding: next.audio, as: UTF8.self) == "FLAKY[sky]:You said: fine")
    }

    @Test("Piper dying mid-utterance: the next link speaks and the piper backend shows the failure")
    func piperCrash() async throws {
        let piper = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/fake-piper.py").path
        let model = try TestPaths.temporaryDirectory("fake-voice")
        try Data().write(to: model.appendingPathComponent("voice.onnx"))
        try Data(#"{"audio": {"sample_rate": 22050}}"#.utf8).write(to: model.appendingPathComponent("voice.onnx.json"))
        let hub = try await HubProcess.start(name: "piper-crash", environment: ["FAKE_PIPER_MODE": "crash"], speechLines: [
            "  piper: {plugin: piper, executable: \"\(piper)\", model: \"\(model.appendingPathComponent("voice.onnx").path)\"}",
            "  good: {plugin: kokoro-http, url: \"\(engines.url)\", streaming: false}",
            "  stt: {plugin: whisper-http, url: \"\(engines.url)\"}",
            "voices:",
            "  sky: {chain: [piper, good]}",
            "stt: {backend: stt}",
            "health: {interval: 30s, retry_interval: 30s}",
        ])
        defer { hub.stop() }
        let (audio, _, _) = try await greeting(hub)
        #expect(audio.hasPrefix("AUDIO[sky]:Hello!"), "\(audio)\n\(hub.log)")
        let status = try await backends(hub)["piper"]
        #expect(status?["status"]?.stringValue == "down")
        #expect(status?["last_error"]?.stringValue?.contains("piper exited") == true, "\(status ?? .null)")
    }

    @Test("every link failing: the agent gets a clear Error and the browser an error status")
    func allFail() async throws {
        let hub = try await hub("allfail", backends: [
            "closed: {plugin: kokoro-http, url: \"http://127.0.0.1:9\", timeout: 30s}",
            "broken: {plugin: kokoro-http, url: \"\(url("fail"))\", timeout: 30s}",
        ], chain: ["closed", "broken"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let (_, status) = try await browser.next(after: 0, "error status") {
            $0["type"]?.stringValue == "status" && $0["session_id"]?.stringValue == id
                && ($0["text"]?.stringValue ?? "").hasPrefix("Error: text-to-speech failed")
        }
        let text = status["text"]?.stringValue ?? ""
        #expect(text.contains("closed is unreachable") && text.contains("broken answered HTTP 500"), "names every engine it tried: \(text)")
        // The demo agent says what converse returned ("Something went wrong: <the error>").
        let (_, said) = try await browser.next(after: 0, "the agent repeating the error") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == id
                && ($0["text"]?.stringValue ?? "").contains("Something went wrong: text-to-speech failed: every engine failed: closed is unreachable")
        }
        #expect(said["text"]?.stringValue?.isEmpty == false)
    }

    @Test("the STT chain fails over too")
    func sttFailover() async throws {
        let hub = try await hub("sttfailover", backends: [
            "tts: {plugin: kokoro-http, url: \"\(engines.url)\", timeout: 30s}",
            "deaf: {plugin: whisper-http, url: \"\(url("fail"))\", timeout: 30s}",
            "ears: {plugin: whisper-http, url: \"\(url("good"))\", timeout: 30s}",
        ], chain: ["tts"], sttChain: ["deaf", "ears"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: Data("hello there".utf8))
        let echo = try await conversation.turn(after: greeting.end, answer: nil)
        #expect(echo.said == "You said: GOOD:hello there", "\(echo.said)")
        #expect(try await backends(hub)["deaf"]?["status"]?.stringValue == "down")
    }

    @Test("a voice's own STT chain wins over the config's")
    func voiceSTTOverride() async throws {
        let hub = try await hub("voicestt", backends: [
            "tts: {plugin: kokoro-http, url: \"\(engines.url)\", timeout: 30s}",
            "deaf: {plugin: whisper-http, url: \"\(url("fail"))\", timeout: 30s}",
            "ears: {plugin: whisper-http, url: \"\(url("own"))\", timeout: 30s}",
        ], chain: ["tts"], sttChain: ["deaf"], voiceSTT: ["ears"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: Data("my own ears".utf8))
        let echo = try await conversation.turn(after: greeting.end, answer: nil)
        #expect(echo.said == "You said: OWN:my own ears")
        #expect(try await backends(hub)["deaf"]?["last_used"] == .null, "the config's chain was not used")
    }

    @Test("whisper-http with api: whisper.cpp posts to /inference")
    func whisperCppAPI() async throws {
        let hub = try await hub("whispercpp", backends: [
            "tts: {plugin: kokoro-http, url: \"\(engines.url)\", timeout: 30s}",
            "cpp: {plugin: whisper-http, api: whisper.cpp, url: \"\(engines.url)\", timeout: 30s}",
        ], chain: ["tts"], sttChain: ["cpp"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: Data("from whisper cpp".utf8))
        let echo = try await conversation.turn(after: greeting.end, answer: nil)
        #expect(echo.said == "You said: CPP:from whisper cpp")
    }

    @Test("a streaming browser gets audio_chunks while the engine is still synthesizing; others get one audio")
    func streaming() async throws {
        let hub = try await hub("streaming", backends: [
            "stream: {plugin: kokoro-http, url: \"\(url("gated"))\", streaming: true, timeout: 30s}",
        ], chain: ["stream"])
        defer { hub.stop() }
        let streamer = try await BrowserClient.connect(to: hub, hello: ["audio_stream"])
        let classic = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        // The engine holds the rest of its answer: this chunk can only come from a stream.
        let (firstIndex, first) = try await streamer.next("audio_chunk", session: id)
        #expect(first["seq"]?.doubleValue == 0)
        #expect(first["final"]?.boolValue == false)
        #expect(first["format"]?.stringValue == "audio/mpeg")
        #expect(Data(base64Encoded: first["data"]?.stringValue ?? "") == Data("PART1[sky]:".utf8))
        #expect(!classic.messages.contains { $0["type"]?.stringValue == "audio" }, "no whole audio before synthesis ends")

        _ = try await REST(baseURL: engines.url).post("/control/\(key)/open")
        let (_, last) = try await streamer.next(after: firstIndex, "final chunk") {
            $0["type"]?.stringValue == "audio_chunk" && $0["final"]?.boolValue == true
        }
        #expect(last["session_id"]?.stringValue == id)
        let chunks = streamer.messages.filter { $0["type"]?.stringValue == "audio_chunk" }
        let seqs = chunks.compactMap { $0["seq"]?.doubleValue }
        #expect(seqs == (0..<seqs.count).map(Double.init), "seq counts up from 0: \(seqs)")
        let streamed = chunks.compactMap { Data(base64Encoded: $0["data"]?.stringValue ?? "") }.reduce(Data(), +)
        let (_, whole) = try await classic.next("audio", session: id)
        let wholeAudio = Data(base64Encoded: whole["data"]?.stringValue ?? "") ?? Data()
        #expect(streamed == wholeAudio, "both browsers got the same audio")
        #expect(String(decoding: wholeAudio, as: UTF8.self).hasPrefix("PART1[sky]:Hello!"))
        #expect(!streamer.messages.contains { $0["type"]?.stringValue == "audio" }, "a streaming browser gets no duplicate audio")
    }

    @Test("a streaming browser that connects mid-speech gets the chunks so far right after its hello")
    func lateStreamingBrowser() async throws {
        let hub = try await hub("late-stream", backends: [
            "stream: {plugin: kokoro-http, url: \"\(url("gated"))\", streaming: true, timeout: 30s}",
        ], chain: ["stream"])
        defer { hub.stop() }
        let early = try await BrowserClient.connect(to: hub, hello: ["audio_stream"])
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        _ = try await early.next("audio_chunk", session: id)
        // The engine still holds the rest: what the late tab gets can only be the replay.
        let late = try await BrowserClient.connect(to: hub, hello: ["audio_stream"])
        let (_, chunk) = try await late.next("audio_chunk", session: id)
        #expect(chunk["seq"]?.doubleValue == 0)
        #expect(Data(base64Encoded: chunk["data"]?.stringValue ?? "") == Data("PART1[sky]:".utf8))
        _ = try await REST(baseURL: engines.url).post("/control/\(key)/open")
    }

    @Test("barge-in: an interrupt while the engine still speaks stops the speech, the hub listens, the recording answers the agent")
    func bargeIn() async throws {
        let hub = try await hub("barge-in", backends: [
            "stream: {plugin: kokoro-http, url: \"\(url("gated"))\", streaming: true, timeout: 30s}",
        ], chain: ["stream"])
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub, hello: ["audio_stream"])
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        // The greeting is still being made (the engine holds the rest) when the user cuts in.
        let (firstIndex, _) = try await browser.next("audio_chunk", session: id)
        try await browser.send(.object(["type": .string("interrupt"), "session_id": .string(id)]))
        let (listening, _) = try await browser.next("listening", session: id, after: firstIndex)
        #expect(!browser.messages[firstIndex...].contains { $0["type"]?.stringValue == "audio_chunk" && $0["final"]?.boolValue == true },
                "the rest of the speech is dropped")
        try await browser.send(.object([
            "type": .string("audio"), "session_id": .string(id),
            "data": .string(Data("stop, I know".utf8).base64EncodedString()), "mime_type": .string("audio/webm"),
        ]))
        let (_, next) = try await browser.next(after: listening, "the agent's answer") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == id
        }
        #expect(next["text"]?.stringValue == "You said: stop, I know")
        _ = try await REST(baseURL: engines.url).post("/control/\(key)/open")
    }

    @Test("an engine that does not stream gets one sentence at a time: the first is sent while the rest waits, in order")
    func sentenceSplitting() async throws {
        let message = "Short first. Then a BLOCK sentence waits at the engine. And a third one follows it."
        let hub = try await hub("sentences", backends: [
            "plain: {plugin: kokoro-http, url: \"\(url("blocking"))\", streaming: false, timeout: 30s}",
        ], chain: ["plain"], command: ["clawmux", "demo-agent", "--greeting", message])
        defer { hub.stop() }
        let streamer = try await BrowserClient.connect(to: hub, hello: ["audio_stream"])
        let classic = try await BrowserClient.connect(to: hub)
        let id = try #require(try await hub.rest.post("/api/sessions?wait=false").json?["session_id"]?.stringValue)
        // The engine holds every request with BLOCK in it: this chunk was sent before the rest was made.
        let (_, first) = try await streamer.next("audio_chunk", session: id)
        #expect(String(decoding: Data(base64Encoded: first["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self) == "AUDIO[sky]:Short first.")
        #expect(!classic.messages.contains { $0["type"]?.stringValue == "audio" })

        _ = try await REST(baseURL: engines.url).post("/control/\(key)/open")
        let (_, whole) = try await classic.next("audio", session: id)
        let wholeText = String(decoding: Data(base64Encoded: whole["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
        _ = try await streamer.next(after: 0, "final chunk") { $0["type"]?.stringValue == "audio_chunk" && $0["final"]?.boolValue == true }
        let texts = streamer.messages
            .filter { $0["type"]?.stringValue == "audio_chunk" && $0["final"]?.boolValue == false }
            .map { String(decoding: Data(base64Encoded: $0["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self) }
        #expect(texts == ["AUDIO[sky]:Short first.", "AUDIO[sky]:Then a BLOCK sentence waits at the engine. And a third one follows it."])
        #expect(wholeText == texts.joined(), "the single audio is the sentences in order")
    }
}
