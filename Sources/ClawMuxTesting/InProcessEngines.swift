import Foundation
import PluginAPI
import Synchronization

/// A TTS engine in the test process, told what to do: speak (`AUDIO[voice]:text`, in two
/// chunks), fail before any audio, fail after the first chunk, or refuse the request (an
/// HTTP 400: the engine is fine, the request is not). It counts what it was asked.
public final class FakeTTSEngine: TTSEngine {
    public enum Mode: Sendable {
        case speaks
        case fails
        case failsAfterFirstChunk
        case refuses
    }

    private struct State {
        var mode: Mode = .speaks
        var probeFails = false
        var requests: [SpeechRequest] = []
    }

    public let name: String
    public let streamsAudio: Bool
    public let audioFormat: AudioFormat?
    public let speedRange: ClosedRange<Double>?
    private let state = Mutex(State())

    public init(name: String, format: AudioFormat = .mp3, streams: Bool = false, speedRange: ClosedRange<Double>? = nil) {
        self.name = name
        self.streamsAudio = streams
        self.audioFormat = format
        self.speedRange = speedRange
    }

    public var mode: Mode {
        get { state.withLock { $0.mode } }
        set { state.withLock { $0.mode = newValue } }
    }

    public var probeFails: Bool {
        get { state.withLock { $0.probeFails } }
        set { state.withLock { $0.probeFails = newValue } }
    }

    /// Every request, in order.
    public var requests: [SpeechRequest] { state.withLock { $0.requests } }

    public func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio {
        let mode = state.withLock { state in
            state.requests.append(request)
            return state.mode
        }
        let spoken = Data("AUDIO[\(request.voice)]:\(request.text)".utf8)
        switch mode {
        case .fails:
            throw SpeechError.unreachable(engine: name, detail: "told to fail")
        case .refuses:
            throw SpeechError.engineStatus(engine: name, status: 400, body: "refused on purpose")
        case .speaks, .failsAfterFirstChunk:
            let half = spoken.count / 2
            let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
            continuation.yield(spoken.prefix(half))
            if mode == .speaks {
                continuation.yield(spoken.dropFirst(half))
                continuation.finish()
            } else {
                continuation.finish(throwing: SpeechError.unreachable(engine: name, detail: "told to fail mid-way"))
            }
            return SpeechAudio(format: audioFormat ?? .mp3, chunks: chunks)
        }
    }

    public func probe() async throws -> String {
        if probeFails { throw SpeechError.unreachable(engine: name, detail: "probe told to fail") }
        return "fake \(name)"
    }
}

/// An STT engine in the test process: the transcript is the recording's bytes as text (after
/// `name:` when `tagged`), or it fails when told to.
public final class FakeSTTEngine: STTEngine {
    private let failing = Mutex(false)
    private let count = Mutex(0)
    public let name: String
    private let tagged: Bool

    public init(name: String, tagged: Bool = false) {
        self.name = name
        self.tagged = tagged
    }

    public var fails: Bool {
        get { failing.withLock { $0 } }
        set { failing.withLock { $0 = newValue } }
    }

    public var transcriptions: Int { count.withLock { $0 } }

    public func transcribe(_ request: TranscriptionRequest) async throws -> String {
        count.withLock { $0 += 1 }
        if fails { throw SpeechError.unreachable(engine: name, detail: "told to fail") }
        let text = String(decoding: request.audio, as: UTF8.self)
        return tagged ? "\(name):\(text)" : text
    }

    public func probe() async throws -> String {
        if fails { throw SpeechError.unreachable(engine: name, detail: "probe told to fail") }
        return "fake \(name)"
    }
}

/// The plugin table rows of the in-process fakes: `fake-tts`, `fake-stt` and `fake-spawner`
/// backends get the fake registered under their name in the config (`backends: {a: {plugin: fake-tts}}`).
public enum FakePlugins {
    public static func table(tts: [FakeTTSEngine] = [], stt: [FakeSTTEngine] = [], spawners: [FakeSpawner] = []) -> [PluginDescriptor] {
        let ttsByName = Dictionary(tts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let sttByName = Dictionary(stt.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let spawnersByName = Dictionary(spawners.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return [
            PluginDescriptor(name: "fake-spawner", kind: .spawner, summary: "a spawner of the test process") { options, context in
                try options.rejectUnknownKeys(allowed: [])
                guard let spawner = spawnersByName[context.instanceName] else { throw FakePluginMissing(name: context.instanceName) }
                return .spawner(spawner)
            },
            PluginDescriptor(name: "fake-tts", kind: .tts, summary: "a TTS engine of the test process") { options, context in
                try options.rejectUnknownKeys(allowed: [])
                guard let engine = ttsByName[context.instanceName] else { throw FakePluginMissing(name: context.instanceName) }
                return .tts(engine)
            },
            PluginDescriptor(name: "fake-stt", kind: .stt, summary: "an STT engine of the test process") { options, context in
                try options.rejectUnknownKeys(allowed: [])
                guard let engine = sttByName[context.instanceName] else { throw FakePluginMissing(name: context.instanceName) }
                return .stt(engine)
            },
        ]
    }
}

public struct FakePluginMissing: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "no fake engine named '\(name)' was handed to FakePlugins.table" }
}
