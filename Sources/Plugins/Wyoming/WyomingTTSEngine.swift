import Foundation
import WireJSON
import PluginAPI

/// Text to speech over the Wyoming protocol (wyoming-piper and other Home Assistant engines):
/// `synthesize` → `audio-start`, `audio-chunk`s, `audio-stop`; the audio is 16-bit PCM.
struct WyomingTTSEngine: TTSEngine {
    let endpoint: WyomingEndpoint
    /// Used when the requested voice is not one the server lists; nil: the server's default.
    let defaultVoice: String?
    let voices: VoiceList

    static let descriptor = PluginDescriptor(
        name: "wyoming-tts", kind: .tts, summary: "a Wyoming text-to-speech server (wyoming-piper, ...)"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["uri", "voice", "timeout"])
        let endpoint = try WyomingEndpoint(
            name: context.instanceName, uri: try options.required("uri"),
            timeout: try options.optional("timeout")?.durationValue() ?? .seconds(60))
        return .tts(WyomingTTSEngine(
            endpoint: endpoint, defaultVoice: try options.optional("voice")?.stringValue(), voices: VoiceList()))
    }

    func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio {
        var data: [String: JSONValue] = ["text": .string(request.text)]
        if let voice = await voiceName(for: request.voice) { data["voice"] = .object(["name": .string(voice)]) }
        let events = endpoint.exchange([WyomingEvent(type: "synthesize", data: data)]) { $0.type == "audio-stop" }
        // The format comes with `audio-start`, before any audio.
        var iterator = events.makeAsyncIterator()
        var format: AudioFormat?
        while format == nil, let event = try await iterator.next() {
            guard event.type == "audio-start" || event.type == "audio-chunk" else { continue }
            format = try Self.format(of: event, engine: endpoint.name)
            if event.type == "audio-chunk" {
                // Some servers skip audio-start: keep this chunk.
                return SpeechAudio(format: format ?? .wav, chunks: Self.audio(first: event.payload, rest: iterator))
            }
        }
        guard let format else { throw SpeechError.badResponse(engine: endpoint.name, detail: "no audio-start") }
        return SpeechAudio(format: format, chunks: Self.audio(first: Data(), rest: iterator))
    }

    private static func audio(
        first: Data, rest: AsyncThrowingStream<WyomingEvent, any Error>.AsyncIterator
    ) -> AsyncThrowingStream<Data, any Error> {
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        nonisolated(unsafe) var iterator = rest
        let task = Task {
            do {
                if !first.isEmpty { continuation.yield(first) }
                while let event = try await iterator.next() {
                    if event.type == "audio-chunk", !event.payload.isEmpty { continuation.yield(event.payload) }
                    if event.type == "audio-stop" { break }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return chunks
    }

    static func format(of event: WyomingEvent, engine: String) throws -> AudioFormat {
        let rate = event.int("rate") ?? 22050
        let width = event.int("width") ?? 2
        let channels = event.int("channels") ?? 1
        guard width == 2 else { throw SpeechError.badResponse(engine: engine, detail: "\(width * 8)-bit audio is not supported") }
        return channels == 1 ? .pcm16(sampleRate: rate) : AudioFormat(mimeType: "audio/pcm;rate=\(rate);channels=\(channels)")
    }

    /// The requested voice if the server lists it, else the configured default.
    private func voiceName(for requested: String) async -> String? {
        if await voices.contains(requested, endpoint: endpoint) { return requested }
        return defaultVoice
    }

    func probe() async throws -> String {
        let info = try await endpoint.describe()
        let names = VoiceList.names(in: info)
        await voices.set(names)
        return "\(names.count) voice(s) at tcp://\(endpoint.host):\(endpoint.port)"
    }
}

/// The voice names a Wyoming TTS server lists in `info`, fetched once and refreshed by probes.
actor VoiceList {
    private var names: Set<String>?

    func set(_ names: Set<String>) {
        self.names = names
    }

    func contains(_ name: String, endpoint: WyomingEndpoint) async -> Bool {
        if names == nil, let info = try? await endpoint.describe() { names = Self.names(in: info) }
        return names?.contains(name) ?? false
    }

    /// `info.tts[].voices[].name`.
    static func names(in info: WyomingEvent) -> Set<String> {
        let programs = info.data["tts"]?.arrayValue ?? []
        return Set(programs.flatMap { ($0["voices"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } })
    }
}
