import AsyncHTTPClient
import Foundation
import WireJSON
import NIOCore
import NIOFoundationCompat
import PluginAPI

/// Whisper over HTTP: the OpenAI transcription API (`POST {url}/v1/audio/transcriptions`), or
/// whisper.cpp's own server (`POST {url}/inference`) with `api: whisper.cpp`.
struct WhisperHTTPEngine: STTEngine {
    enum API: String {
        case openAI = "openai"
        case whisperCpp = "whisper.cpp"
    }

    let http: HTTPEngine
    let model: String
    let language: String?
    let api: API

    static let descriptor = PluginDescriptor(
        name: "whisper-http", kind: .stt,
        summary: "Whisper or any OpenAI-compatible /v1/audio/transcriptions server"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: HTTPEngine.commonKeys.union(["model", "language", "api"]))
        let api = try options.optional("api").map { node in
            guard let api = API(rawValue: try node.stringValue()) else {
                throw ConfigError(at: node.location, "expected 'openai' (/v1/audio/transcriptions) or 'whisper.cpp' (/inference)")
            }
            return api
        } ?? .openAI
        return .stt(WhisperHTTPEngine(
            http: try HTTPEngine(options: options, context: context, defaultTimeout: .seconds(60)),
            model: try options.optional("model")?.stringValue() ?? "whisper-1",
            language: try options.optional("language")?.stringValue(),
            api: api))
    }

    func transcribe(_ recording: TranscriptionRequest) async throws -> String {
        var form = MultipartForm()
        form.addFile("file", filename: "recording.\(recording.format.fileExtension)",
                     contentType: recording.format.baseType, data: recording.audio)
        switch api {
        case .openAI:
            // Some servers (faster-whisper-server) read `model_name`, the OpenAI API reads `model`.
            form.addField("model", model)
            form.addField("model_name", model)
        case .whisperCpp:
            // whisper.cpp serves the one model it was started with.
            form.addField("temperature", "0.0")
        }
        form.addField("response_format", "json")
        if let language = recording.language ?? language {
            form.addField("language", language)
        }
        var request = http.request(api == .openAI ? "/v1/audio/transcriptions" : "/inference", method: .POST)
        request.headers.add(name: "Content-Type", value: form.contentType)
        request.body = .bytes(ByteBuffer(data: form.finish()))
        let body = try await http.readBody(try await http.send(request), limit: 4 << 20)
        return try Self.transcript(from: body, engine: http.name)
    }

    /// `{"text": "..."}`; some servers answer plain text despite `response_format=json`.
    static func transcript(from body: Data, engine: String) throws -> String {
        if let object = JSONValue.decode(bytes: body), case .object = object {
            guard let text = object["text"]?.stringValue else {
                throw SpeechError.badResponse(engine: engine, detail: "JSON without a \"text\" field")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let text = String(data: body, encoding: .utf8) else {
            throw SpeechError.badResponse(engine: engine, detail: "body is not UTF-8")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func probe() async throws -> String {
        try await http.probeModelsOrHealth()
    }
}
