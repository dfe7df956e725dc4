import Foundation
import WireJSON
import PluginAPI

/// Speech to text over the Wyoming protocol (wyoming-faster-whisper, ...): `transcribe`, then the
/// recording as `audio-start`, `audio-chunk`s, `audio-stop`; the answer is a `transcript`.
/// Wyoming carries raw PCM: WAV is unpacked here, other formats (the browser's webm/opus) are
/// decoded with ffmpeg.
struct WyomingSTTEngine: STTEngine {
    let endpoint: WyomingEndpoint
    let language: String?
    let model: String?

    static let descriptor = PluginDescriptor(
        name: "wyoming-stt", kind: .stt, summary: "a Wyoming speech-to-text server (wyoming-faster-whisper, ...)"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["uri", "language", "model", "timeout"])
        let endpoint = try WyomingEndpoint(
            name: context.instanceName, uri: try options.required("uri"),
            timeout: try options.optional("timeout")?.durationValue() ?? .seconds(60))
        return .stt(WyomingSTTEngine(
            endpoint: endpoint, language: try options.optional("language")?.stringValue(),
            model: try options.optional("model")?.stringValue()))
    }

    func transcribe(_ request: TranscriptionRequest) async throws -> String {
        let (pcm, rate, channels) = try await PCMDecoding.decode(request.audio, format: request.format)
        let audioInfo: [String: JSONValue] = ["rate": .int(rate), "width": .int(2), "channels": .int(channels)]
        var transcribe: [String: JSONValue] = [:]
        if let language = request.language ?? language { transcribe["language"] = .string(language) }
        if let model { transcribe["name"] = .string(model) }
        var events = [WyomingEvent(type: "transcribe", data: transcribe), WyomingEvent(type: "audio-start", data: audioInfo)]
        // About 0.1 s per chunk, as microphones send it.
        let chunkBytes = max(2, rate * channels * 2 / 10)
        var offset = 0
        while offset < pcm.count {
            let end = min(offset + chunkBytes, pcm.count)
            events.append(WyomingEvent(type: "audio-chunk", data: audioInfo, payload: pcm.subdata(in: offset..<end)))
            offset = end
        }
        events.append(WyomingEvent(type: "audio-stop"))
        for try await event in endpoint.exchange(events, until: { $0.type == "transcript" }) where event.type == "transcript" {
            return (event.string("text") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw SpeechError.badResponse(engine: endpoint.name, detail: "no transcript")
    }

    func probe() async throws -> String {
        let info = try await endpoint.describe()
        let programs = info.data["asr"]?.arrayValue ?? []
        let models = programs.flatMap { ($0["models"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } }
        return "models \(models.joined(separator: ", ")) at tcp://\(endpoint.host):\(endpoint.port)"
    }
}
