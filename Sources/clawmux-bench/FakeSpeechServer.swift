import Foundation
import Hummingbird
import Logging
import NIOCore
import WireJSON

/// The benchmark's OpenAI-compatible engines, in this process so they cost the hub nothing:
/// speech is `audioBytes` of silence (16-bit PCM) streamed in `chunks` parts spread over
/// `latency` (the first part after latency/chunks); a transcription is the uploaded file's
/// bytes as text, after `sttLatency`.
struct FakeSpeechServer: Sendable {
    struct Settings: Sendable {
        var latency: Duration = .zero
        var chunks: Int = 4
        var sttLatency: Duration = .zero
        var audioBytes: Int = 4800   // 0.1 s at 24 kHz
    }

    let port: Int
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }

    static func start(_ settings: Settings) async throws -> FakeSpeechServer {
        let router = Router()
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"data":[{"id":"bench"}]}"#)))
        }
        router.post("/v1/audio/speech") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            let parts = max(1, settings.chunks)
            let part = ByteBuffer(repeating: 0, count: max(2, settings.audioBytes / parts / 2 * 2))
            let pause = settings.latency / parts
            return Response(status: .ok, headers: [.contentType: "audio/pcm"], body: ResponseBody { writer in
                for _ in 0..<parts {
                    if pause > .zero { try await Task.sleep(for: pause) }
                    try await writer.write(part)
                }
                try await writer.finish(nil)
            })
        }
        router.post("/v1/audio/transcriptions") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 32 << 20))
            if settings.sttLatency > .zero { try await Task.sleep(for: settings.sttLatency) }
            let text = uploadedFile(in: body, contentType: request.headers[.contentType] ?? "")
            let json = JSONValue.object(["text": .string(text)]).encodedText()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "bench-engines", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return FakeSpeechServer(port: port, task: task)
    }

    /// The `file` part of a multipart upload.
    static func uploadedFile(in body: String, contentType: String) -> String {
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
