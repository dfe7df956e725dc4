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
        do {
            for try await message in inbound.messages(maxSize: maxMessage) {
                guard case .text(let text) = message else {
                    await browsers.send(.error(sessionID: nil, message: "expected JSON text messages"), to: client)
                    continue
                }
                await dispatch(text, from: client, maxRecordingBytes: limits.maxRecordingBytes)
            }
        } catch {
            logger.info("browser socket closed", metadata: ["reason": "\(error)"])
        }
        await browsers.disconnect(client)
        writer.cancel()
    }

    /// Room for a recording of up to twice the limit (base64 is 4/3 of the bytes, plus the JSON
    /// around it): one somewhat over the limit gets a clear error and the tab stays connected;
    /// only a frame far beyond it closes the socket (1009, "message too big").
    static func maxMessageBytes(_ limits: Limits) -> Int {
        limits.maxRecordingBytes * 2 / 3 * 4 + 64 * 1024
    }

    private func dispatch(_ text: String, from client: BrowserHub.ClientID, maxRecordingBytes: Int) async {
        let request: BrowserRequest
        do {
            request = try BrowserRequest.parse(text, maxRecordingBytes: maxRecordingBytes)
        } catch {
            logger.warning("bad browser message", metadata: ["error": "\(error)"])
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
        }
    }

    private func unknown(_ id: String, _ client: BrowserHub.ClientID) async {
        await browsers.send(.error(sessionID: id, message: "unknown session '\(id)'"), to: client)
    }
}
