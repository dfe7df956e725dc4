import Foundation
import Logging
import PluginAPI
import WireJSON
import PluginRuntime

/// Routes speech: a voice id to its chain of TTS engines, a recording to its chain of STT engines.
/// Links known to be down are skipped; on an error or timeout the next link is tried; the
/// conversation only notices when every link fails.
public struct SpeechRouter: Sendable {
    public let voices: [VoiceRoute]
    let registry: BackendRegistry
    let health: BackendHealth
    let supervisors: EngineSupervisors
    let stt: SpeechToTextSettings
    let logger: Logger

    public init(config: HubConfig, registry: BackendRegistry, health: BackendHealth, supervisors: EngineSupervisors, logger: Logger) {
        self.voices = config.voices
        self.registry = registry
        self.health = health
        self.supervisors = supervisors
        self.stt = config.stt
        self.logger = logger
    }

    public func route(_ voiceID: String) -> VoiceRoute? {
        voices.first { $0.id == voiceID }
    }

    public var validIDs: [String] { voices.map(\.id) }

    /// The first voice no live session uses, so side-by-side agents sound different; the first voice
    /// again when all are taken.
    public func distinctVoice(avoiding used: Set<String>) -> VoiceRoute {
        voices.first { !used.contains($0.id) } ?? voices[0]
    }

    /// `GET /api/voices`: id, label, chain and whether some link of it is healthy now.
    public func voicesReport() async -> JSONValue {
        var entries: [JSONValue] = []
        for voice in voices {
            let sttChain = voice.sttChain ?? stt.chain
            let chain = voice.links.map { link -> JSONValue in
                .object(["backend": .string(link.backend), "voice": .string(link.engineVoice)])
            }
            entries.append(.object([
                "id": .string(voice.id), "label": .string(voice.label),
                "backend": .string(voice.backend), "engine_voice": .string(voice.engineVoice),
                "chain": .array(chain),
                "healthy": .bool(await health.anyHealthy(voice.links.map(\.backend))),
                // The link that would speak now: the first one not known to be down.
                "active_backend": .string(voice.links[await firstUsableLink(of: voice)].backend),
                // And what would transcribe the answer.
                "stt_chain": .array(sttChain.map(JSONValue.string)),
                "stt_healthy": .bool(await health.anyHealthy(sttChain)),
                "active_stt": .string(await firstUsable(sttChain) ?? sttChain.first ?? ""),
            ]))
        }
        return .array(entries)
    }

    // MARK: Text to speech

    /// Speaks `text` as a stream of pieces. Engines that do not stream get the text sentence by
    /// sentence, so the first audio does not wait for the whole message.
    func speak(_ text: String, voice: VoiceRoute, speed: Double) -> AsyncThrowingStream<SpeechPiece, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: SpeechPiece.self)
        let task = Task {
            do {
                var linkIndex = await firstUsableLink(of: voice)
                let first = voice.links[linkIndex]
                // Pieces with nothing to pronounce ("...", "—") are skipped: some engines fail on them.
                let segments = (registry.tts(first.backend).map(Self.speaksWholeTexts) == true ? [text] : SentenceSplitter.split(text))
                    .filter { $0.contains { $0.isLetter || $0.isNumber } }
                var pending = segments[...]
                var segment = 0
                while let sentence = pending.popFirst() {
                    switch try await speakSegment(sentence, segment: segment, voice: voice, from: linkIndex, speed: speed, yield: {
                        continuation.yield($0)
                    }) {
                    case .spoken(let link):
                        linkIndex = link
                        segment += 1
                    case .split(let link, let pieces):
                        // A streaming engine failed and the next one does not stream: sentence by sentence.
                        linkIndex = link
                        pending = pieces[...] + pending
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// An engine that streams gets a long text in one request; so does one whose audio format
    /// does not join by concatenation (sentence files in Ogg or FLAC would not make one file).
    static func speaksWholeTexts(_ engine: any TTSEngine) -> Bool {
        engine.streamsAudio || engine.audioFormat?.joinsByConcatenation == false
    }

    private func firstUsable(_ backends: [String]) async -> String? {
        for backend in backends where await health.isUsable(backend) { return backend }
        return nil
    }

    private func firstUsableLink(of voice: VoiceRoute) async -> Int {
        for (index, link) in voice.links.enumerated() where await health.isUsable(link.backend) {
            return index
        }
        return 0
    }

    private enum SegmentOutcome {
        /// Spoken by this link.
        case spoken(link: Int)
        /// This link does not stream and the text is long: speak these pieces instead.
        case split(link: Int, pieces: [String])
    }

    /// Speaks one segment, starting with link `start` (the one that spoke the previous segment,
    /// so one message keeps one engine when it can).
    private func speakSegment(
        _ text: String, segment: Int, voice: VoiceRoute, from start: Int, speed: Double,
        yield: (SpeechPiece) -> Void
    ) async throws -> SegmentOutcome {
        var attempts: [(backend: String, error: String)] = []
        for index in await attemptOrder(voice.links.map(\.backend), from: start) {
            let link = voice.links[index]
            guard let engine = registry.tts(link.backend) else { continue }
            if !Self.speaksWholeTexts(engine), text.count > SentenceSplitter.groupLimit {
                let pieces = SentenceSplitter.split(text).filter { $0.contains { $0.isLetter || $0.isNumber } }
                if pieces.count > 1 { return .split(link: index, pieces: pieces) }
            }
            let began = ContinuousClock.now
            var yielded = false
            do {
                try await supervisors.ensureRunning(link.backend)
                let speech = try await engine.synthesize(SpeechRequest(text: text, voice: link.engineVoice, speed: applicableSpeed(speed, for: engine, link.backend)))
                var decoder = speech.format.baseType == "audio/wav" ? WAVStreamDecoder() : nil
                for try await chunk in speech.chunks {
                    var data = chunk
                    var format = speech.format
                    if var wav = decoder {
                        data = try wav.feed(chunk)
                        decoder = wav
                        guard let decoded = wav.format, !data.isEmpty else { continue }
                        format = decoded
                    }
                    if !yielded { await health.recordSuccess(link.backend, latency: ContinuousClock.now - began) }
                    yielded = true
                    yield(.audio(data, format, segment: segment))
                }
                if !yielded { throw SpeechError.badResponse(engine: link.backend, detail: "no audio") }
                if segment == 0 || index != start {
                    logger.info("speaking", metadata: ["backend": "\(link.backend)", "voice": "\(voice.id)", "from_segment": "\(segment)"])
                }
                return .spoken(link: index)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                logger.warning("TTS engine failed; trying the next one", metadata: [
                    "backend": "\(link.backend)", "voice": "\(voice.id)", "error": "\(error)",
                ])
                await health.recordFailure(link.backend, error: "\(error)", engineAtFault: Self.engineAtFault(error))
                attempts.append((link.backend, "\(error)"))
                if yielded { yield(.segmentRestarted(segment: segment)) }
            }
        }
        throw ChainFailure(attempts: attempts)
    }

    /// The voice's speed, or the nearest the engine takes (said in the log, never an error).
    private func applicableSpeed(_ wanted: Double, for engine: any TTSEngine, _ backend: String) -> Double {
        guard let range = engine.speedRange, !range.contains(wanted) else { return wanted }
        let applied = min(max(wanted, range.lowerBound), range.upperBound)
        logger.info("speed outside the engine's range; using the nearest", metadata: [
            "backend": "\(backend)", "speed": "\(wanted)", "applied": "\(applied)",
        ])
        return applied
    }

    /// A 4xx answer or a recording ffmpeg cannot decode says something about this request (the
    /// next engine may take it), not that the engine is down for everyone.
    static func engineAtFault(_ error: any Error) -> Bool {
        if case SpeechError.engineStatus(_, let status, _) = error, (400..<500).contains(status) { return false }
        return !(error is AudioDecoding.Failure)
    }

    /// Usable links from `start` on, then (as a last resort, when all of those failed) the ones
    /// known to be down: a probe may not have noticed yet that an engine came back.
    private func attemptOrder(_ backends: [String], from start: Int) async -> [Int] {
        let indices = Array(start..<backends.count) + Array(0..<start)
        var usable: [Int] = []
        var down: [Int] = []
        for index in indices {
            if await health.isUsable(backends[index]) { usable.append(index) } else { down.append(index) }
        }
        return usable + down
    }

    // MARK: Speech to text

    /// The transcript from the first STT engine of the chain (the voice's own, else the
    /// config's) that answers.
    func transcribe(_ audio: Data, format: AudioFormat, voice: VoiceRoute?) async throws -> String {
        let chain = voice?.sttChain ?? stt.chain
        let request = TranscriptionRequest(audio: audio, format: format, language: voice?.language ?? stt.language)
        var attempts: [(backend: String, error: String)] = []
        for index in await attemptOrder(chain, from: 0) {
            let backend = chain[index]
            guard let engine = registry.stt(backend) else { continue }
            let began = ContinuousClock.now
            do {
                try await supervisors.ensureRunning(backend)
                let text = try await engine.transcribe(request)
                await health.recordSuccess(backend, latency: ContinuousClock.now - began)
                logger.debug("transcribed", metadata: ["backend": "\(backend)", "chars": "\(text.count)", "took": "\(ContinuousClock.now - began)"])
                return text
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                logger.warning("STT engine failed; trying the next one", metadata: ["backend": "\(backend)", "error": "\(error)"])
                await health.recordFailure(backend, error: "\(error)", engineAtFault: Self.engineAtFault(error))
                attempts.append((backend, "\(error)"))
            }
        }
        throw ChainFailure(attempts: attempts)
    }
}
