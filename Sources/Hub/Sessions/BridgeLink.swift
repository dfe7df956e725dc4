import Foundation
import BridgeProtocol

/// The hub's end of one MCP bridge connection: replies queue here and a writer task sends them.
public struct BridgeLink: Sendable, Identifiable {
    public let id = UUID()
    private let outbox: AsyncStream<BridgeReply>.Continuation

    public init(outbox: AsyncStream<BridgeReply>.Continuation) {
        self.outbox = outbox
    }

    /// Replies queued for a bridge before it counts as stuck (an honest one has one or two).
    public static let queueLimit = 256

    /// Returns false when the connection is gone, or is closed now because the bridge stopped
    /// reading (its queue is full; the outbox must be made with `queueLimit`).
    @discardableResult
    public func send(_ reply: BridgeReply) -> Bool {
        switch outbox.yield(reply) {
        case .enqueued: return true
        case .dropped:
            outbox.finish()
            return false
        case .terminated: return false
        @unknown default: return false
        }
    }

    /// Ends the connection's writer, which closes the socket.
    public func close() {
        outbox.finish()
    }
}
