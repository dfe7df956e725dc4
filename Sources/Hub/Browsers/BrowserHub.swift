import Foundation
import Logging

/// The connected browser tabs. Every hub event goes to all of them; each has a bounded outbox
/// so one slow tab cannot make the hub's memory grow.
public actor BrowserHub {
    public typealias ClientID = UUID

    private struct Client {
        let outbox: AsyncStream<String>.Continuation
        var capabilities: Set<String> = []
    }

    private var clients: [ClientID: Client] = [:]
    private let logger: Logger
    /// Messages queued for one tab before it is considered stuck and dropped.
    private let outboxLimit: Int

    public init(logger: Logger, outboxLimit: Int = 512) {
        self.logger = logger
        self.outboxLimit = outboxLimit
    }

    public var count: Int { clients.count }

    /// Registers a tab; the stream yields the JSON texts to write to its socket.
    public func connect() -> (ClientID, AsyncStream<String>) {
        let id = ClientID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(outboxLimit))
        clients[id] = Client(outbox: continuation)
        logger.info("browser connected", metadata: ["browsers": "\(clients.count)"])
        return (id, stream)
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
        case .streaming: client.capabilities.contains(Self.audioStream)
        case .nonStreaming: !client.capabilities.contains(Self.audioStream)
        }
    }

    public static let audioStream = "audio_stream"

    @discardableResult
    private func deliver(_ text: String, to id: ClientID) -> Bool {
        guard let client = clients[id] else { return false }
        if case .dropped = client.outbox.yield(text) {
            logger.warning("browser is not reading its messages; disconnecting it", metadata: ["queued": "\(outboxLimit)"])
            disconnect(id)
            return false
        }
        return true
    }
}
