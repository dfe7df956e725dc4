import ClawMuxTesting
import Foundation
import HTTPTypes
import DemoAgent
import Synchronization
import WireJSON

/// The benchmark's browser tab: one WebSocket for every session, announcing `audio_stream`.
/// It acknowledges each turn's audio at its final chunk and answers `listening` with a
/// "recording" whose bytes are the text the agent expects (the fake STT returns them verbatim);
/// it times each turn's first audio chunk after the agent's text.
final class BenchBrowser: Sendable {
    private struct State {
        var message: [String: String] = [:]
        var turnStarted: [String: ContinuousClock.Instant] = [:]
        var firstAudio: [Duration] = []
        var errors: [String] = []
    }

    private let state = Mutex(State())
    private let client = Mutex<BrowserClient?>(nil)

    var firstAudioDelays: [Duration] { state.withLock { $0.firstAudio } }
    var errors: [String] { state.withLock { $0.errors } }

    static func connect(port: Int, token: String) async throws -> BenchBrowser {
        let browser = BenchBrowser()
        let client = try await BrowserClient.connect(
            to: port, hello: ["audio_stream"], headers: [.authorization: "Bearer \(token)"], responder: { browser.handle($0) })
        browser.client.withLock { $0 = client }
        return browser
    }

    /// What to send back for one hub message, if anything.
    private func handle(_ json: JSONValue) -> JSONValue? {
        guard let type = json["type"]?.stringValue else { return nil }
        let id = json["session_id"]?.stringValue ?? ""
        let now = ContinuousClock.now
        switch type {
        case "assistant_text":
            state.withLock { state in
                state.message[id] = json["text"]?.stringValue ?? ""
                state.turnStarted[id] = now
            }
        case "audio_chunk":
            state.withLock { state in
                if let started = state.turnStarted.removeValue(forKey: id) { state.firstAudio.append(now - started) }
            }
            if json["final"]?.boolValue == true { return Self.json(["type": "playback_done", "session_id": id]) }
        case "audio":
            return Self.json(["type": "playback_done", "session_id": id])
        case "listening":
            let message = state.withLock { $0.message[id] } ?? ""
            let answer = Data(DemoAgent.Bench.answer(to: message).utf8).base64EncodedString()
            return Self.json(["type": "audio", "session_id": id, "data": answer, "mime_type": "audio/webm"])
        case "error":
            state.withLock { $0.errors.append(json["message"]?.stringValue ?? json.encodedText()) }
        default:
            break
        }
        return nil
    }

    private static func json(_ fields: [String: String]) -> JSONValue {
        JSONValue.object(fields.mapValues { .string($0) })
    }

    func close() {
        client.withLock { $0?.close() }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
