import Foundation
import Logging
import PluginAPI

/// Runs the engine work a session's machine asks for (speak, join, transcribe) as tasks that
/// report back as machine events: `progress` while it runs, `finished` once at the end (not
/// after cancellation: nobody waits for a cancelled turn).
struct SessionEngines: Sendable {
    typealias Report = @Sendable (SessionMachine.Event) async -> Void

    let router: SpeechRouter
    let workspace: SessionWorkspace
    let logger: Logger

    func synthesize(turn: UInt64, text: String, voice: String, speed: Double, progress: @escaping Report, finished: @escaping Report) -> Task<Void, Never> {
        let router = router, logger = logger
        return Task {
            guard let route = router.route(voice) else {
                return await finished(.speechFailed(turn: turn, reason: "voice '\(voice)' is not in the config"))
            }
            let started = ContinuousClock.now
            var first = true
            do {
                for try await piece in router.speak(SpokenText.from(text), voice: route, speed: speed) {
                    if first, case .audio = piece {
                        logger.debug("first audio", metadata: ["after": "\(ContinuousClock.now - started)"])
                        first = false
                    }
                    await progress(.speechPiece(turn: turn, piece))
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("TTS failed", metadata: ["voice": "\(route.id)", "error": "\(error)"])
                return await finished(.speechFailed(turn: turn, reason: "\(error)"))
            }
            guard !Task.isCancelled else { return }
            await finished(.speechEnded(turn: turn))
        }
    }

    func join(turn: UInt64, _ joiner: AudioJoiner, finished: @escaping Report) -> Task<Void, Never> {
        let logger = logger
        return Task {
            if joiner.isMixed {
                logger.notice("engines with different encodings spoke one message; joining it as PCM")
            }
            do {
                let joined = try await joiner.finish()
                await finished(.speechJoined(turn: turn, audio: joined?.audio ?? Data(), format: joined?.format ?? .wav))
            } catch is CancellationError {
                return
            } catch {
                logger.error("could not join the message's audio", metadata: ["error": "\(error)"])
                await finished(.speechFailed(turn: turn, reason: "\(error)"))
            }
        }
    }

    /// A streamed recording's words so far (see `StreamedRecordings`).
    func transcribeAhead(_ wav: Data, voice: String) -> Task<String, any Error> {
        let router = router
        return Task { try await router.transcribe(wav, format: .wav, voice: router.route(voice)) }
    }

    /// A recording that could not be transcribed is kept in the session dir: nothing the user said is lost.
    /// `ahead`: the transcript made while the user paused (a streamed recording); if it failed,
    /// the whole recording is transcribed now.
    func transcribe(turn: UInt64, _ audio: Data, format: AudioFormat, voice: String, ahead: Task<String, any Error>? = nil,
                    finished: @escaping Report) -> Task<Void, Never> {
        let router = router, logger = logger, workspace = workspace
        return Task {
            let began = ContinuousClock.now
            do {
                var text = try? await ahead?.value
                if ahead != nil, text == nil, !Task.isCancelled {
                    logger.info("the transcript made during a pause failed; transcribing the whole recording")
                }
                let usedAhead = text != nil
                if text == nil { text = try await router.transcribe(audio, format: format, voice: router.route(voice)) }
                // What the user waited for the words, after the recording's end (the latency benchmark reads it).
                logger.debug("recording transcribed", metadata: ["waited": "\(ContinuousClock.now - began)", "ahead": "\(usedAhead)"])
                await finished(.transcribed(turn: turn, text: text ?? ""))
            } catch is CancellationError {
                return
            } catch {
                let kept = workspace.keepRecording(audio, format: format)
                logger.error("STT failed", metadata: ["error": "\(error)", "kept": "\(kept ?? "(could not save)")"])
                await finished(.transcriptionFailed(turn: turn, reason: "\(error)" + (kept.map { "; the recording is kept at \($0)" } ?? "")))
            }
        }
    }
}
