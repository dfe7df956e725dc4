import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import WireJSON

/// OpenAI-compatible TTS and STT in the test or benchmark process, answering at once and
/// predictably. A transcript is the uploaded file's bytes as text (an upload containing
/// `FAIL-STT` gets HTTP 500). Speech depends on `Settings.speech`:
/// - `.echo` (protocol tests): the bytes `AUDIO[voice]:<input>` as MP3 (`@speed` after the voice
///   when not 1); an input containing `FAIL-TTS` gets HTTP 500.
/// - `.silence` (the benchmark): that many bytes of 16-bit PCM silence, streamed in `chunks`
///   parts spread over `latency`.
///
/// For routing tests, under `/k/{key}/{mode}/...` the same API misbehaves on purpose (`key` keeps
/// parallel tests apart): `fail` answers 500 everywhere; `hang` never answers speech;
/// `flaky` fails while `POST /control/{key}/down` is in force (until `POST /control/{key}/up`) and
/// speaks `FLAKY[voice]:input`; `gated` streams `PART1[voice]:` and holds the rest (and `blocking`
/// holds any input containing `BLOCK`) until `POST /control/{key}/open`. Every speech request is
/// counted at `GET /control/{key}/count`, and so are the transcriptions of `wav` (which answers
/// a WAV's data as text after 200 ms: tests stream ASCII as samples). `/inference` is whisper.cpp's own server.
public struct FakeSpeechServer: Sendable {
    public struct Settings: Sendable {
        public enum Speech: Sendable {
            case echo
            case silence(bytes: Int, chunks: Int, latency: Duration)
        }

        public var speech: Speech
        public var sttLatency: Duration

        public init(speech: Speech = .echo, sttLatency: Duration = .zero) {
            self.speech = speech
            self.sttLatency = sttLatency
        }
    }

    public let port: Int
    private let task: Task<Void, any Error>

    public var url: String { "http://127.0.0.1:\(port)" }

    /// One echoing instance for the whole test process. It is never cancelled: cancelling a
    /// Hummingbird server while a hub still connects to it crashes the process (NIOAsyncWriter
    /// deinit); it ends with the process.
    public static func shared() async throws -> FakeSpeechServer {
        try await SharedFakeSpeechServer.instance.get()
    }

    public static func start(_ settings: Settings = Settings()) async throws -> FakeSpeechServer {
        let router = Router()
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"data":[{"id":"fake"}]}"#)))
        }
        router.post("/v1/audio/speech") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = JSONValue.decode(bytes: body.readableBytesView) ?? .null
            switch settings.speech {
            case .echo:
                let input = json["input"]?.stringValue ?? ""
                if input.contains("FAIL-TTS") { return failure("TTS") }
                let speed = json["speed"]?.doubleValue ?? 1
                let voice = (json["voice"]?.stringValue ?? "") + (speed == 1 ? "" : "@\(speed)")
                return Response(status: .ok, headers: [.contentType: "audio/mpeg"],
                                body: .init(byteBuffer: ByteBuffer(string: "AUDIO[\(voice)]:\(input)")))
            case .silence(let bytes, let chunks, let latency):
                let parts = max(1, chunks)
                let part = ByteBuffer(repeating: 0, count: max(2, bytes / parts / 2 * 2))
                let pause = latency / parts
                return Response(status: .ok, headers: [.contentType: "audio/pcm"], body: ResponseBody { writer in
                    for _ in 0..<parts {
                        if pause > .zero { try await Task.sleep(for: pause) }
                        try await writer.write(part)
                    }
                    try await writer.finish(nil)
                })
            }
        }
        router.post("/v1/audio/transcriptions") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 32 << 20))
            if settings.sttLatency > .zero { try await Task.sleep(for: settings.sttLatency) }
            let text = uploadedFile(in: body, contentType: request.headers[.contentType] ?? "")
            if text.contains("FAIL-STT") { return failure("STT") }
            return transcript(text)
        }
        addMisbehaving(to: router)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-speech", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return FakeSpeechServer(port: port, task: task)
    }

    private static func transcript(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(["text": .string(text)]).encodedText())))
    }

    private static let keyed = Mutex<[String: (down: Bool, open: Bool, count: Int)]>([:])

    private static func state(_ key: String) -> (down: Bool, open: Bool, count: Int) {
        keyed.withLock { $0[key] ?? (false, false, 0) }
    }

    private static func update(_ key: String, _ change: (inout (down: Bool, open: Bool, count: Int)) -> Void) {
        keyed.withLock { states in
            var state = states[key] ?? (false, false, 0)
            change(&state)
            states[key] = state
        }
    }

    private static func failure(_ what: String) -> Response {
        Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "fake \(what) failure")))
    }

    private static func waitUntilOpen(_ key: String) async {
        while !state(key).open { try? await Task.sleep(for: .milliseconds(10)) }
    }

    private static func addMisbehaving(to router: Router<BasicRequestContext>) {
        // whisper.cpp's own server: one model, no `model` field; `temperature` and `response_format` are.
        router.post("/inference") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 32 << 20))
            guard body.contains("name=\"temperature\""), body.contains("name=\"response_format\""), !body.contains("name=\"model\"") else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "Invalid request")))
            }
            return transcript(" CPP:\(uploadedFile(in: body, contentType: request.headers[.contentType] ?? ""))\n")
        }
        router.post("/control/{key}/{action}") { _, context -> Response in
            let key = context.parameters.get("key") ?? ""
            switch context.parameters.get("action") {
            case "down": update(key) { $0.down = true }
            case "up": update(key) { $0.down = false }
            case "open": update(key) { $0.open = true }
            default: return Response(status: .notFound)
            }
            return Response(status: .ok)
        }
        router.get("/control/{key}/{action}") { _, context -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "\(state(context.parameters.get("key") ?? "").count)")))
        }
        router.get("/k/{key}/{mode}/v1/models") { _, context -> Response in
            let key = context.parameters.get("key") ?? ""
            let mode = context.parameters.get("mode") ?? ""
            if mode == "fail" || (mode == "flaky" && state(key).down) { return failure("probe") }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"data":[{"id":"fake"}]}"#)))
        }
        router.post("/k/{key}/{mode}/v1/audio/speech") { request, context -> Response in
            let key = context.parameters.get("key") ?? ""
            let mode = context.parameters.get("mode") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = JSONValue.decode(bytes: body.readableBytesView) ?? .null
            let input = json["input"]?.stringValue ?? ""
            let voice = json["voice"]?.stringValue ?? ""
            update(key) { $0.count += 1 }
            switch mode {
            case "fail":
                return failure("TTS")
            case "hang":
                try? await Task.sleep(for: .seconds(120))
                return failure("TTS")
            case "flaky":
                if state(key).down { return failure("TTS") }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "FLAKY[\(voice)]:\(input)")))
            case "gated":
                return Response(status: .ok, headers: [.contentType: "audio/mpeg"], body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "PART1[\(voice)]:"))
                    await waitUntilOpen(key)
                    try await writer.write(ByteBuffer(string: input))
                    try await writer.finish(nil)
                })
            case "blocking":
                if input.contains("BLOCK") { await waitUntilOpen(key) }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "AUDIO[\(voice)]:\(input)")))
            default:
                return Response(status: .notFound)
            }
        }
        router.post("/k/{key}/{mode}/v1/audio/transcriptions") { request, context -> Response in
            let key = context.parameters.get("key") ?? ""
            let mode = context.parameters.get("mode") ?? ""
            let body = String(buffer: try await request.body.collect(upTo: 32 << 20))
            if mode == "fail" || (mode == "flaky" && state(key).down) { return failure("STT") }
            let file = uploadedFile(in: body, contentType: request.headers[.contentType] ?? "")
            if mode == "wav" {
                // A WAV's samples as text (tests stream ASCII "samples"), each request counted.
                update(key) { $0.count += 1 }
                try await Task.sleep(for: .milliseconds(200))
                return transcript(String(file.components(separatedBy: "data").dropFirst().joined(separator: "data").dropFirst(4)))
            }
            return transcript("\(mode.uppercased()):\(file)")
        }
    }

    /// The content of the multipart part named `file`.
    public static func uploadedFile(in body: String, contentType: String) -> String {
        guard let boundary = contentType.components(separatedBy: "boundary=").last else { return "" }
        for part in body.components(separatedBy: "--" + boundary) where part.contains("name=\"file\"") {
            guard let start = part.range(of: "\r\n\r\n") else { continue }
            var content = String(part[start.upperBound...])
            // "\r\n" is one Character in Swift.
            if content.hasSuffix("\r\n") { content.removeLast() }
            return content
        }
        return ""
    }
}

private actor SharedFakeSpeechServer {
    static let instance = SharedFakeSpeechServer()
    private var engines: Task<FakeSpeechServer, any Error>?

    func get() async throws -> FakeSpeechServer {
        if let engines { return try await engines.value }
        let started = Task { try await FakeSpeechServer.start() }
        engines = started
        return try await started.value
    }
}
