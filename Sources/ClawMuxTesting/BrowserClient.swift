import Foundation
import NIOCore
import HTTPTypes
import HummingbirdWSClient
import Logging
import Synchronization
import WireJSON

/// A browser stand-in on `/ws`: records every message, lets a test wait for one, and sends.
/// With a `responder` (the benchmark's tab) it answers messages itself and keeps none.
public final class BrowserClient: Sendable {
    /// What to send back for a message, if anything.
    public typealias Responder = @Sendable (JSONValue) -> JSONValue?

    private let received = Mutex<[JSONValue]>([])
    private let responder: Responder?
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let closed = Mutex(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init(responder: Responder?) {
        self.responder = responder
    }

    /// A browser of `hub`, with its token.
    public static func connect(to hub: HubProcess, hello: [String]? = nil, responder: Responder? = nil) async throws -> BrowserClient {
        try await connect(to: hub.port, hello: hello, headers: [.authorization: "Bearer \(hub.token)"], responder: responder)
    }

    public static func connect(
        to port: Int, path: String = "/ws", hello: [String]? = nil, headers: HTTPFields = [:], responder: Responder? = nil
    ) async throws -> BrowserClient {
        let client = BrowserClient(responder: responder)
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Bool.self)
        let task = Task {
            do {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)\(path)", configuration: .init(maxFrameSize: 1 << 26, additionalHeaders: headers),
                    logger: Logger(label: "test-browser", factory: { _ in SwiftLogNoOpLogHandler() })
                ) { inbound, outbound, _ in
                    client.writer.withLock { $0 = outbound }
                    readyContinuation.yield(true)
                    for try await message in inbound.messages(maxSize: 1 << 26) {
                        guard case .text(let text) = message, let json = JSONValue.decode(text) else { continue }
                        if let responder = client.responder {
                            if let reply = responder(json) { try await outbound.write(.text(reply.encodedText())) }
                        } else {
                            client.received.withLock { $0.append(json) }
                        }
                    }
                }
            } catch {}
            client.closed.withLock { $0 = true }
            readyContinuation.yield(false)
        }
        client.task.withLock { $0 = task }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() == true else { throw TestFailure("browser WebSocket did not connect") }
        if let hello {
            try await client.send(.object(["type": .string("hello"), "capabilities": .array(hello.map { .string($0) })]))
        }
        return client
    }

    public var messages: [JSONValue] { received.withLock { $0 } }
    public var isClosed: Bool { closed.withLock { $0 } }

    public func send(_ json: JSONValue) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw TestFailure("not connected") }
        try await writer.write(.text(json.encodedText()))
    }

    public func sendBinary(_ bytes: [UInt8]) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw TestFailure("not connected") }
        try await writer.write(.binary(ByteBuffer(bytes: bytes)))
    }

    public func sendRaw(_ text: String) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw TestFailure("not connected") }
        try await writer.write(.text(text))
    }

    /// The first message after index `from` matching `predicate`, waiting up to `timeout`.
    public func next(after from: Int = 0, timeout: Duration = .seconds(30),
              _ what: String = "message", where predicate: (JSONValue) -> Bool) async throws -> (index: Int, message: JSONValue) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let snapshot = messages
            if from < snapshot.count {
                for index in from..<snapshot.count where predicate(snapshot[index]) {
                    return (index, snapshot[index])
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let seen = messages.suffix(12).map(Self.summary).joined(separator: "\n")
        throw TestFailure("timed out waiting for \(what); last messages:\n\(seen)")
    }

    /// A message for a failure report: every field, long strings (audio) cut short.
    public static func summary(_ message: JSONValue) -> String {
        guard case .object(let fields) = message else { return String(message.encodedText().prefix(200)) }
        return fields.sorted { $0.key < $1.key }.map { key, value in
            let text = value.encodedText()
            return "\(key)=\(text.count > 60 ? text.prefix(60) + "…" : text)"
        }.joined(separator: " ")
    }

    /// Waits for a message of `type` for `session`.
    public func next(_ type: String, session: String? = nil, after from: Int = 0, timeout: Duration = .seconds(30)) async throws -> (index: Int, message: JSONValue) {
        try await next(after: from, timeout: timeout, "\(type) for \(session ?? "any session")") { message in
            message["type"]?.stringValue == type && (session == nil || message["session_id"]?.stringValue == session)
        }
    }

    public func close() {
        task.withLock { $0?.cancel() }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }
}
