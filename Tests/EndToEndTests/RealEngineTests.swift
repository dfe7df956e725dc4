import Foundation
import Hub
import Logging
import PluginAPI
import Plugins
import Testing
import ClawMuxTesting

/// The HTTP plugins against real engines installed from PyPI: `kokoro-http` against
/// local-tts-studio (OpenAI speech API over Piper), `whisper-http` against faster-whisper-server.
/// `scripts/test.sh` starts them and sets the URLs; plain `swift test` skips these.
@Suite("Real speech engines", .enabled(if: RealEngines.available, "run scripts/test.sh: it starts the real engines"))
struct RealEngineTests {
    static let sentence = "The quick brown fox jumps over the lazy dog."

    func registry(format: String) throws -> BackendRegistry {
        let yaml = """
            backends:
              tts: {plugin: kokoro-http, url: "\(RealEngines.ttsURL ?? "")", response_format: \(format), timeout: 120s}
              stt: {plugin: whisper-http, url: "\(RealEngines.sttURL ?? "")", timeout: 120s}
            voices:
              joe: {backend: tts, voice: en_US-joe-medium}
            sessions: {spawner: pty}
            stt: {backend: stt, language: en}
            """
        let config = try HubConfig.parse(yaml: yaml, file: "real-engines.yaml", environment: [:])
        return try BackendRegistry(config: config, plugins: PluginTable.all, logger: Logger(label: "test"))
    }

    @Test("kokoro-http speaks a sentence and whisper-http transcribes it back", arguments: ["mp3", "wav"])
    func speakAndTranscribe(format: String) async throws {
        let registry = try registry(format: format)
        let tts = try #require(registry.tts("tts"))
        let stt = try #require(registry.stt("stt"))
        let speech = try await tts.synthesize(SpeechRequest(text: Self.sentence, voice: "en_US-joe-medium"))
        var chunks = 0
        var audio = Data()
        for try await chunk in speech.chunks {
            chunks += 1
            audio.append(chunk)
        }
        #expect(chunks >= 1)
        #expect(audio.count > 4_000)
        if format == "wav" {
            #expect(speech.format == .wav)
            #expect(audio.prefix(4) == Data("RIFF".utf8))
        } else {
            #expect(speech.format == .mp3)
            #expect(audio.prefix(3) == Data("ID3".utf8) || (audio.first == 0xFF && (audio.dropFirst().first ?? 0) & 0xE0 == 0xE0))
        }
        let transcript = try await stt.transcribe(TranscriptionRequest(audio: audio, format: speech.format))
        #expect(Fuzzy.overlap(expected: Self.sentence, heard: transcript) >= 0.7, "heard: \(transcript)")
    }

    @Test("both backends answer their health probes")
    func probes() async throws {
        let entries = await BackendStatusReport(registry: try registry(format: "mp3")).probeAll()
        #expect(entries.count == 3)
        let unhealthy = entries.filter { !$0.outcome.healthy }.map { "\($0.name): \($0.outcome.detail)" }
        #expect(unhealthy.isEmpty, "\(unhealthy)")
    }

    @Test("a whole conversation with real speech: the agent hears what the user said")
    func conversation() async throws {
        let ttsURL = try #require(RealEngines.ttsURL), sttURL = try #require(RealEngines.sttURL)
        // The user's answer, spoken by the real TTS as a WAV recording.
        let answer = "Please list the files in the project folder."
        let wav = try await registry(format: "wav").tts("tts")?.synthesize(SpeechRequest(text: answer, voice: "joe")).collect()
        let recording = try #require(wav)

        let hub = try await HubProcess.start(name: "real", ttsURL: ttsURL, sttURL: sttURL, spawner: "pty")
        defer { hub.stop() }
        let browser = try await BrowserClient.connect(to: hub)
        let created = try await hub.rest.post("/api/sessions")
        let id = try #require(created.json?["session_id"]?.stringValue, "\(created.text)")
        let conversation = Conversation(browser: browser, sessionID: id)
        let greeting = try await conversation.turn(after: 0, answer: recording, format: "audio/wav", timeout: .seconds(120))
        #expect(greeting.audioFormat == "audio/mpeg")
        #expect(greeting.audio.count > 4_000)
        let heard = try #require(browser.messages.last { $0["type"]?.stringValue == "user_text" }?["text"]?.stringValue)
        #expect(Fuzzy.overlap(expected: answer, heard: heard) >= 0.7, "heard: \(heard)")
        let echo = try await conversation.turn(after: greeting.end, answer: nil, timeout: .seconds(120))
        #expect(echo.said.hasPrefix("You said:"))
        #expect(Fuzzy.overlap(expected: answer, heard: echo.said) >= 0.7, "agent heard: \(echo.said)")
    }
}
