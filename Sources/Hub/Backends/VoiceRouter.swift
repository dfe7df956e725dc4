import PluginAPI

/// Maps the voice ids the browser picks to the engine that speaks them.
public struct VoiceRouter: Sendable {
    public let voices: [VoiceRoute]
    private let registry: BackendRegistry

    public init(voices: [VoiceRoute], registry: BackendRegistry) {
        self.voices = voices
        self.registry = registry
    }

    public func route(_ voiceID: String) -> VoiceRoute? {
        voices.first { $0.id == voiceID }
    }

    public func engine(for voiceID: String) -> (engine: any TTSEngine, engineVoice: String, backend: String)? {
        guard let route = route(voiceID), let engine = registry.tts(route.backend) else { return nil }
        return (engine, route.engineVoice, route.backend)
    }

    public var validIDs: [String] { voices.map(\.id) }

    /// The first voice no live session uses, so side-by-side agents sound different; the first voice
    /// again when all are taken.
    public func distinctVoice(avoiding used: Set<String>) -> VoiceRoute {
        voices.first { !used.contains($0.id) } ?? voices[0]
    }
}
