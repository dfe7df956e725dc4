import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// `/ws`: one browser tab. It gets `session_list` (taken after it joined, so newer than any
/// broadcast that raced it), the pending turns, then every hub event; its messages drive the
/// sessions' converse flows. A bad message gets an `error` back and the connection stays up.
struct BrowserSocket: Sendable {
    let sessions: SessionManager
    let browsers: BrowserHub
    let access: AccessPolicy
    let logger: Logger

    /// The upgrade is refused (HTTP 400) for a page of another origin or without the token.
    func register(on router: Router<HubRequestContext>) {
        router.ws("/ws") { request, _ in
            guard access.originAllowed(request) else {
                logger.warning("refused browser WebSocket from another origin", metadata: ["origin": "\(request.headers[.origin] ?? "")"])
                return .dontUpgrade
            }
            guard access.isAuthorized(request) else {
                logger.warning("refused browser WebSocket without a valid token")
                return .dontUpgrade
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let channel = context.requestContext.channel
            await handle(inbound: inbound, outbound: outbound, cutOff: { channel.close(promise: nil) })
        }
    }

    private func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, cutOff: @escaping @Sendable () -> Void) async {
        let (client, outbox) = await browsers.connect(cutOff: cutOff)
        let writer = Task {
            for await text in outbox.messages {
                do { try await outbound.write(.text(text)) } catch { break }
                outbox.backlog.remove(text.utf8.count)
            }
            // The hub ended this tab's outbox (shutdown, or the tab stopped reading).
            try? await outbound.close(.goingAway, reason: "closed by the hub")
        }
        await sessions.browserConnected(client)
        let limits = await sessions.browserLimits
        // Base64 grows a recording by 4/3; leave room for the JSON around it.
        let maxMessage = Self.maxMessageBytes(limits)
        var streamed = StreamedRecordings(maxBytes: limits.maxRecordingBytes)
        do {
            for try await message in inbound.messages(maxSize: maxMessage) {
                guard case .text(let text) = message else {
                    await browsers.send(.error(sessionID: nil, message: "expected JSON text messages"), to: client)
                    continue
                }
                await dispatch(text, from: client, maxRecordingBytes: limits.maxRecordingBytes, streamed: &streamed)
            }
        } catch {
            logger.info("browser socket closed", metadata: ["reason": "\(error)"])
        }
        streamed.dropAll()
        await browsers.disconnect(client)
        writer.cancel()
    }

    /// Room for a recording of up to twice the limit (base64 is 4/3 of the bytes, plus the JSON
    /// around it): one somewhat over the limit gets a clear error and the tab stays connected;
    /// only a frame far beyond it closes the socket (1009, "message too big").
    static func maxMessageBytes(_ limits: Limits) -> Int {
        limits.maxRecordingBytes * 2 / 3 * 4 + 64 * 1024
    }

    private func dispatch(_ text: String, from client: BrowserHub.ClientID, maxRecordingBytes: Int, streamed: inout StreamedRecordings) async {
        let request: BrowserRequest
        do {
            request = try BrowserRequest.parse(text, maxRecordingBytes: maxRecordingBytes)
        } catch {
            logger.warning("bad browser message", metadata: ["error": "\(error)"])
            // A streamed recording's message the hub cannot take: the page sends that recording whole.
            if let named = BrowserRequest.streamedRecording(in: text) {
                streamed.drop(named.recording)
                return await browsers.send(.recordingFailed(sessionID: named.sessionID, recording: named.recording, message: error.description), to: client)
            }
            await browsers.send(.error(sessionID: nil, message: error.description), to: client)
            // A refused recording: nothing was heard, so the tab is asked to record again.
            switch error {
            case .tooLarge, .invalidBase64:
                if let id = BrowserRequest.sessionID(in: text), let session = await sessions.session(id) {
                    await session.recordingRefused(by: client)
                }
            default: break
            }
            return
        }
        switch request {
        case .hello(let capabilities):
            await browsers.setCapabilities(capabilities, for: client)
            if capabilities.contains("transcript") { await sessions.sendTranscripts(to: client) }
            if capabilities.contains(BrowserHub.audioStream) { await sessions.replayPending(to: client, streamedOnly: true) }
        case .playbackDone(let id, let turn):
            guard let session = await sessions.session(id) else { return await unknown(id, client) }
            await session.playbackDone(turn: turn)
        case .interrupt(let id, let turn):
            guard let session = await sessions.session(id) else { return await unknown(id, client) }
            await session.interrupt(turn: turn)
        case .recording(let id, let audio, let format, let turn, let endWord):
            guard let session = await sessions.session(id) else { return await unknown(id, client) }
            await session.recording(audio, format: format, turn: turn, endWord: endWord)
        case .prompt(let id, let text):
            do throws(SessionError) {
                _ = try await sessions.prompt(id, text: text)
            } catch {
                await browsers.send(.error(sessionID: id, message: error.description), to: client)
            }
        case .promptRecording(let id, let audio, let format, let endWord):
            guard let session = await sessions.session(id) else { return await unknown(id, client) }
            await session.promptRecording(audio, format: format, endWord: endWord)
        case .recordingChunk, .recordingPause, .recordingEnd, .recordingCancel:
            await stream(request, from: client, into: &streamed)
        }
    }

    /// A recording streamed while the user speaks; at its end it is taken like a whole `audio`.
    private func stream(_ request: BrowserRequest, from client: BrowserHub.ClientID, into streamed: inout StreamedRecordings) async {
        switch request {
        case .recordingChunk(let id, let recording, let seq, let pcm, let rate):
            do throws(StreamedRecordings.Failure) {
                try streamed.append(recording, sessionID: id, seq: seq, pcm: pcm, sampleRate: rate)
            } catch {
                logger.warning("streamed recording refused", metadata: ["session": "\(id)", "error": "\(error)"])
                await browsers.send(.recordingFailed(sessionID: id, recording: recording, message: error.description), to: client)
            }
        case .recordingPause(let id, let recording, _, let endWord):
            // What was said up to the pause, transcribed now: if the user says no more, it is the answer.
            guard let soFar = streamed.soFar(recording, sessionID: id), let session = await sessions.session(id) else { return }
            let guess = await session.transcribeAhead(soFar.wav)
            streamed.guessed(recording, samples: soFar.samples, transcript: guess)
            if let endWord { watch(guess, for: endWord, session: id, recording: recording, samples: soFar.samples, client: client) }
        case .recordingEnd(let id, let recording, let speechEnd, let purpose, let endWord):
            guard let finished = streamed.finish(recording, sessionID: id, speechEnd: speechEnd) else {
                return await browsers.send(.recordingFailed(sessionID: id, recording: recording, message: "no such streamed recording"), to: client)
            }
            guard let session = await sessions.session(id) else {
                finished.transcript?.cancel()
                return await unknown(id, client)
            }
            switch purpose {
            case .answer(let turn):
                await session.recording(finished.wav, format: .wav, turn: turn, endWord: endWord, transcript: finished.transcript)
            case .prompt:
                await session.promptRecording(finished.wav, format: .wav, endWord: endWord, transcript: finished.transcript)
            }
        case .recordingCancel(_, let recording):
            streamed.drop(recording)
        default:
            return
        }
    }

    /// The end word said before this pause ends the recording there: the page is told.
    private func watch(_ guess: Task<String, any Error>, for word: String, session: String, recording: String, samples: Int,
                       client: BrowserHub.ClientID) {
        let browsers = browsers
        Task {
            guard let heard = try? await guess.value, EndWord.ends(heard, with: word) else { return }
            await browsers.send(.recordingEndWord(sessionID: session, recording: recording, samples: samples), to: client)
        }
    }

    private func unknown(_ id: String, _ client: BrowserHub.ClientID) async {
        await browsers.send(.error(sessionID: id, message: "unknown session '\(id)'"), to: client)
    }
}
