import Foundation

/// The hub's end of one MCP bridge connection: replies queue here and a writer task sends them.
public struct BridgeLink: Sendable, Identifiable {
    public let id = UUID()
    private let outbox: AsyncStream<BridgeReply>.Continuation

    public init(outbox: AsyncStream<BridgeReply>.Continuation) {
        self.outbox = outbox
    }

    /// Returns false when the connection is already gone.
    @discardableResult
    public func send(_ reply: BridgeReply) -> Bool {
        if case .terminated = outbox.yield(reply) { return false }
        return true
    }

    /// Ends the connection's writer, which closes the socket.
    public func close() {
        outbox.finish()
    }
}
