import Foundation
import HTTPTypes
import Hub
import HummingbirdWSClient
import Logging
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
        var connected = false
    }

    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    var firstAudioDelays: [Duration] { state.withLock { $0.firstAudio } }
    var errors: [String] { state.withLock { $0.errors } }

    static func connect(port: Int, token: String) async throws -> BenchBrowser {
        let browser = BenchBrowser()
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Bool.self)
        let task = Task {
            do {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/ws",
                    configuration: .init(maxFrameSize: 1 << 24, additionalHeaders: [.authorization: "Bearer \(token)"]),
                    logger: Logger(label: "bench-browser", factory: { _ in SwiftLogNoOpLogHandler() })
                ) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"hello","capabilities":["audio_stream"]}"#))
                    readyContinuation.yield(true)
                    for try await frame in inbound.messages(maxSize: 1 << 24) {
                        guard case .text(let text) = frame, let reply = browser.handle(text) else { continue }
                        try await outbound.write(.text(reply))
                    }
                }
            } catch {
                browser.state.withLock { $0.errors.append("browser socket: \(error)") }
            }
            readyContinuation.yield(false)
        }
        browser.task.withLock { $0 = task }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() == true else { throw BenchFailure("the benchmark browser could not connect") }
        return browser
    }

    /// What to send back for one hub message, if anything.
    private func handle(_ text: String) -> String? {
        guard let json = JSONValue.decode(text), let type = json["type"]?.stringValue else { return nil }
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
            state.withLock { $0.errors.append(json["message"]?.stringValue ?? text) }
        default:
            break
        }
        return nil
    }

    private static func json(_ fields: [String: String]) -> String {
        JSONValue.object(fields.mapValues { .string($0) }).encodedText()
    }

    func close() {
        task.withLock { $0?.cancel() }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
