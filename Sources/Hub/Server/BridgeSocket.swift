import Foundation
import BridgeProtocol
import Hummingbird
import HummingbirdWebSocket
import HTTPTypes
import Logging

/// `/mcp/{id}`: a session's MCP bridge. The upgrade is refused unless the session exists and
/// the bridge presents the session's secret (`Authorization: Bearer` or `?token=`).
struct BridgeSocket: Sendable {
    let sessions: SessionManager
    let logger: Logger

    func register(on router: Router<HubRequestContext>) {
        router.ws("/mcp/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            let token = Self.bearer(request.headers[.authorization]) ?? request.uri.queryParameters["token"].map(String.init)
            guard await sessions.authorizeBridge(sessionID: id, token: token) else {
                logger.warning("refused MCP bridge", metadata: ["session": "\(id)"])
                return .dontUpgrade
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let id = context.requestContext.parameters.get("id") ?? ""
            let reportsHandshake = HTTPField.Name(BridgeProtocol.handshakeHeader).map { context.request.headers[$0] == "1" } ?? false
            await handle(sessionID: id, reportsHandshake: reportsHandshake, inbound: inbound, outbound: outbound)
        }
    }

    private func handle(sessionID: String, reportsHandshake: Bool, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        guard let session = await sessions.session(sessionID) else { return }
        let (replies, continuation) = AsyncStream.makeStream(of: BridgeReply.self, bufferingPolicy: .bufferingOldest(BridgeLink.queueLimit))
        let link = BridgeLink(outbox: continuation)
        await session.attachBridge(link, reportsHandshake: reportsHandshake)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await reply in replies {
                    do { try await outbound.write(.text(reply.json.encodedText())) } catch { break }
                }
                // The session closed this link (replaced or ended): close the socket.
                try? await outbound.close(.goingAway, reason: "session closed")
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: BridgeProtocol.maxMessageBytes) {
                        guard case .text(let text) = message else {
                            link.send(.error(message: "expected JSON text messages"))
                            continue
                        }
                        let request: BridgeRequest
                        do {
                            request = try BridgeRequest.parse(text)
                        } catch {
                            logger.warning("bad bridge message", metadata: ["session": "\(sessionID)", "error": "\(error)"])
                            link.send(.rejecting(text, because: "\(error)"))
                            continue
                        }
                        await session.handleBridge(request, from: link)
                    }
                } catch {
                    logger.info("bridge socket closed", metadata: ["session": "\(sessionID)", "reason": "\(error)"])
                }
                await session.detachBridge(link)
                link.close()
            }
        }
    }

    static func bearer(_ header: String?) -> String? {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }
}
