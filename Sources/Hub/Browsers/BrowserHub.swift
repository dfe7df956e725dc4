import Foundation
import Logging

/// The connected browser tabs. Every hub event goes to all of them; each has an outbox bounded
/// in messages and in bytes, so one tab that stops reading cannot make the hub's memory grow:
/// it is cut off instead (with a log line).
public actor BrowserHub {
    public typealias ClientID = UUID

    private struct Client {
        let outbox: AsyncStream<String>.Continuation
        let backlog: Backlog
        /// Closes the tab's connection at once (a close frame would wait behind the backlog).
        let cutOff: @Sendable () -> Void
        var capabilities: Set<String> = []
        /// Said `hello`: knows our additions to the original's message sequence.
        var saidHello = false
    }

    /// What a tab's socket writes: the texts, and the backlog to take each one off once written.
    struct Outbox: Sendable {
        let messages: AsyncStream<String>
        let backlog: Backlog
    }

    private var clients: [ClientID: Client] = [:]
    private let logger: Logger
    /// Messages queued for one tab before it is considered stuck.
    private let outboxLimit: Int
    /// Bytes queued for one tab before it is considered stuck (one message alone may be bigger).
    private let backlogLimit: Int

    public init(logger: Logger, outboxLimit: Int = 512, backlogLimit: Int = 32 << 20) {
        self.logger = logger
        self.outboxLimit = outboxLimit
        self.backlogLimit = backlogLimit
    }

    public var count: Int { clients.count }

    /// Registers a tab; its outbox yields the JSON texts to write to its socket.
    func connect(cutOff: @escaping @Sendable () -> Void = {}) -> (ClientID, Outbox) {
        let id = ClientID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(outboxLimit))
        let backlog = Backlog()
        clients[id] = Client(outbox: continuation, backlog: backlog, cutOff: cutOff)
        logger.info("browser connected", metadata: ["browsers": "\(clients.count)"])
        return (id, Outbox(messages: stream, backlog: backlog))
    }

    public func disconnect(_ id: ClientID) {
        guard let client = clients.removeValue(forKey: id) else { return }
        client.outbox.finish()
        logger.info("browser disconnected", metadata: ["browsers": "\(clients.count)"])
    }

    /// Ends every tab's outbox; their sockets close with "going away".
    public func closeAll() {
        for client in clients.values { client.outbox.finish() }
        clients.removeAll()
    }

    public func setCapabilities(_ capabilities: [String], for id: ClientID) {
        clients[id]?.capabilities = Set(capabilities)
        clients[id]?.saidHello = true
    }

    /// Sends to every tab; returns how many got it.
    @discardableResult
    public func broadcast(_ event: BrowserEvent) -> Int {
        let audience = event.audience
        let recipients = clients.filter { Self.wants(audience, $0.value) }.map(\.key)
        guard !recipients.isEmpty else { return 0 }
        let text = event.json.encodedText()
        var delivered = 0
        for id in recipients where deliver(text, to: id) { delivered += 1 }
        return delivered
    }

    public func send(_ event: BrowserEvent, to id: ClientID) {
        guard let client = clients[id], Self.wants(event.audience, client) else { return }
        deliver(event.json.encodedText(), to: id)
    }

    /// Browsers that announced `audio_stream` get audio chunk by chunk, the others in one message.
    private static func wants(_ audience: SessionEvent.Audience, _ client: Client) -> Bool {
        switch audience {
        case .all: true
        case .announced: client.saidHello
        case .capable(let capability): client.capabilities.contains(capability)
        case .streaming: client.capabilities.contains(Self.audioStream)
        case .nonStreaming: !client.capabilities.contains(Self.audioStream)
        }
    }

    public static let audioStream = "audio_stream"

    @discardableResult
    private func deliver(_ text: String, to id: ClientID) -> Bool {
        guard let client = clients[id] else { return false }
        let size = text.utf8.count
        let queued = client.backlog.add(size)
        let overBudget = queued > size && queued > backlogLimit
        if overBudget || isDropped(client.outbox.yield(text)) {
            logger.warning("browser is not reading its messages; cutting it off", metadata: [
                "queued_bytes": "\(queued)", "byte_limit": "\(backlogLimit)", "message_limit": "\(outboxLimit)",
            ])
            disconnect(id)
            client.cutOff()
            return false
        }
        return true
    }

    private func isDropped(_ result: AsyncStream<String>.Continuation.YieldResult) -> Bool {
        if case .dropped = result { return true }
        return false
    }
}
