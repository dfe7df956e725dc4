import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import PluginAPI
import PluginRuntime

/// Where a Wyoming server listens (`tcp://host:port`) and how long a request may take.
struct WyomingEndpoint: Sendable {
    let name: String
    let host: String
    let port: Int
    let timeout: Duration

    init(name: String, uri: ConfigNode, timeout: Duration) throws {
        let text = try uri.stringValue()
        guard let url = URL(string: text), url.scheme == "tcp", let host = url.host, let port = url.port else {
            throw ConfigError(at: uri.location, "expected tcp://HOST:PORT, found \"\(text)\"")
        }
        self.name = name
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// Opens a connection, sends `events`, and streams the server's events up to and including
    /// the first one for which `isLast` holds. One request per connection, as Wyoming servers expect;
    /// the whole exchange is bounded by the timeout.
    func exchange(_ events: [WyomingEvent], until isLast: @escaping @Sendable (WyomingEvent) -> Bool) -> AsyncThrowingStream<WyomingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WyomingEvent.self)
        let endpoint = self
        let task = Task {
            do {
                try await withTimeout(endpoint.timeout) {
                    try await endpoint.run(events, until: isLast) { continuation.yield($0) }
                }
                continuation.finish()
            } catch is TimeoutExceeded {
                continuation.finish(throwing: SpeechError.timedOut(engine: endpoint.name, after: endpoint.timeout))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func run(
        _ events: [WyomingEvent], until isLast: @Sendable (WyomingEvent) -> Bool,
        yield: @Sendable (WyomingEvent) -> Void
    ) async throws {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SpeechError.unreachable(engine: name, detail: "tcp://\(host):\(port): \(error)")
        }
        let engine = name
        try await channel.executeThenClose { inbound, outbound in
            var bytes = Data()
            for event in events { bytes.append(event.encoded()) }
            try await outbound.write(ByteBuffer(data: bytes))
            var reader = WyomingReader()
            for try await chunk in inbound {
                reader.append(Data(buffer: chunk))
                while let event = try reader.next() {
                    if event.type == "error" {
                        throw SpeechError.badResponse(engine: engine, detail: event.string("text") ?? "error event")
                    }
                    yield(event)
                    if isLast(event) { return }
                }
            }
            throw SpeechError.badResponse(engine: engine, detail: "the server closed the connection mid-answer")
        }
    }

    /// `describe` → `info`.
    func describe() async throws -> WyomingEvent {
        for try await event in exchange([WyomingEvent(type: "describe")], until: { $0.type == "info" }) where event.type == "info" {
            return event
        }
        throw SpeechError.badResponse(engine: name, detail: "no info event")
    }
}
