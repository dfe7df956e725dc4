import AsyncHTTPClient
import Foundation
import WireJSON
import NIOCore
import NIOFoundationCompat
import PluginAPI
import PluginRuntime

/// Kokoro (or any OpenAI-compatible speech server): `POST {url}/v1/audio/speech`, body streamed back.
struct KokoroHTTPEngine: TTSEngine {
    let http: HTTPEngine
    let model: String
    let responseFormat: SpeechResponseFormat
    /// Kokoro-FastAPI streams the body as it synthesizes (`"stream": true`); plain OpenAI-compatible
    /// servers answer when done, so the hub sends them one sentence at a time instead.
    let streaming: Bool
    /// `speed_range: [min, max]`: what the server accepts (Kokoro-FastAPI 0.25–4; fastkokoro 0.7 1–2).
    let speedRange: ClosedRange<Double>?

    var streamsAudio: Bool { streaming }
    var audioFormat: AudioFormat? { responseFormat.audioFormat }

    static let descriptor = PluginDescriptor(
        name: "kokoro-http", kind: .tts,
        summary: "Kokoro or any OpenAI-compatible /v1/audio/speech server"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: HTTPEngine.commonKeys.union(["model", "response_format", "sample_rate", "streaming", "speed_range"]))
        let sampleRate = try options.optional("sample_rate")?.intValue(in: 8000...192_000) ?? 24_000
        let formatNode = try options.optional("response_format")
        let format = try formatNode.map { node in
            guard let format = SpeechResponseFormat(name: try node.stringValue(), pcmSampleRate: sampleRate) else {
                throw ConfigError(at: node.location, "expected one of \(SpeechResponseFormat.names.joined(separator: ", "))")
            }
            return format
        } ?? .mp3
        return .tts(KokoroHTTPEngine(
            http: try HTTPEngine(options: options, context: context, defaultTimeout: .seconds(60)),
            model: try options.optional("model")?.stringValue() ?? "kokoro",
            responseFormat: format,
            streaming: try options.optional("streaming")?.boolValue() ?? true,
            speedRange: try options.optional("speed_range").map(Self.speedRange)))
    }

    static func speedRange(_ node: ConfigNode) throws -> ClosedRange<Double> {
        let bounds = try node.items().map { try $0.doubleValue(in: 0.1...10) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else {
            throw ConfigError(at: node.location, "expected [lowest, highest] speed, e.g. [1.0, 4.0]")
        }
        return bounds[0]...bounds[1]
    }

    func synthesize(_ speech: SpeechRequest) async throws -> SpeechAudio {
        var request = http.request("/v1/audio/speech", method: .POST)
        request.headers.add(name: "Content-Type", value: "application/json")
        var body: [String: JSONValue] = [
            "model": .string(model), "input": .string(speech.text), "voice": .string(speech.voice),
            "response_format": .string(responseFormat.name), "speed": .double(speech.speed),
        ]
        if streaming { body["stream"] = .bool(true) }
        request.body = .bytes(ByteBuffer(string: JSONValue.object(body).encodedText()))
        let response = try await http.send(request)
        return SpeechAudio(format: responseFormat.audioFormat, chunks: stream(response.body))
    }

    /// Passes body parts on as they arrive; a stalled body fails after the engine's timeout.
    private func stream(_ body: HTTPClientResponse.Body) -> AsyncThrowingStream<Data, any Error> {
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        let engine = http
        let reader = Task {
            do {
                try await withTimeout(engine.timeout) {
                    for try await buffer in body {
                        continuation.yield(Data(buffer: buffer))
                    }
                }
                continuation.finish()
            } catch is TimeoutExceeded {
                continuation.finish(throwing: SpeechError.timedOut(engine: engine.name, after: engine.timeout))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in reader.cancel() }
        return chunks
    }

    func probe() async throws -> String {
        try await http.probeModelsOrHealth()
    }
}
