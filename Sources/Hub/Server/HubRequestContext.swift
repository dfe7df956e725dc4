import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every hub route. Like `BasicWebSocketRequestContext`, plus the
/// connection's channel: a browser tab that stops reading must be cut off at once, and a
/// WebSocket close frame cannot be sent to a peer whose receive window is full.
struct HubRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
