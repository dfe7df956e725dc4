import Foundation
import Hummingbird
import Logging
import NIOCore

/// OpenAI-compatible TTS and STT that answer at once and predictably, for protocol tests:
/// speech is the bytes `AUDIO:<input>`; a transcript is the uploaded file's bytes as text.
/// An input containing `FAIL-TTS` or an upload containing `FAIL-STT` gets HTTP 500.
/// Real engines are tested separately (RealEngineTests).
struct FakeEngines: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    /// One instance for the whole test process. It is never cancelled: cancelling a Hummingbird
    /// server while a hub still connects to it crashes the process (NIOAsyncWriter deinit);
    /// it ends with the test process.
    static func shared() async throws -> FakeEngines {
        try await SharedFakeEngines.instance.get()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    static func start() async throws -> FakeEngines {
        let router = Router()
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"data":[{"id":"fake"}]}"#)))
        }
        router.post("/v1/audio/speech") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
            let input = json["input"] as? String ?? ""
            if input.contains("FAIL-TTS") {
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "fake TTS failure")))
            }
            let speed = json["speed"] as? Double ?? 1
            let voice = (json["voice"] as? String ?? "") + (speed == 1 ? "" : "@\(speed)")
            return Response(status: .ok, headers: [.contentType: "audio/mpeg"],
                            body: .init(byteBuffer: ByteBuffer(string: "AUDIO[\(voice)]:\(input)")))
        }
        router.post("/v1/audio/transcriptions") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 32 << 20))
            let text = Self.uploadedFile(in: body, contentType: request.headers[.contentType] ?? "")
            if text.contains("FAIL-STT") {
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "fake STT failure")))
            }
            let json = try JSONSerialization.data(withJSONObject: ["text": text])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: json)))
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-engines", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return FakeEngines(port: port, task: task)
    }


    /// The content of the multipart part named `file`.
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

private actor SharedFakeEngines {
    static let instance = SharedFakeEngines()
    private var engines: Task<FakeEngines, any Error>?

    func get() async throws -> FakeEngines {
        if let engines { return try await engines.value }
        let started = Task { try await FakeEngines.start() }
        engines = started
        return try await started.value
    }
}
