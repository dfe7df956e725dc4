import Foundation
import Hub
import Hummingbird
import HummingbirdWebSocket
import Logging
import Synchronization
import WireJSON
import ClawMuxTesting

/// A stand-in hub for bridge tests: accepts `/mcp/{id}` and lets the test script each connection.
/// Like FakeSpeechServer it is never cancelled (a bridge may still reconnect); it ends with the test process.
final class FakeHub: Sendable {
    /// Gets the connection's number (from 1) and a request; returns false to close that connection.
    typealias Script = @Sendable (_ connection: Int, _ request: JSONValue, _ reply: @Sendable (JSONValue) async throws -> Void) async throws -> Bool

    final class Recorder: Sendable {
        let requests = Mutex<[JSONValue]>([])
        let authorizations = Mutex<[String?]>([])
        let connections = Mutex(0)
    }

    let port: Int
    let recorder: Recorder
    private let task: Task<Void, any Error>

    static func start(script: @escaping Script) async throws -> FakeHub {
        let recorder = Recorder()
        let sockets = Router(context: BasicWebSocketRequestContext.self)
        sockets.ws("/mcp/{id}") { request, _ in
            recorder.authorizations.withLock { $0.append(request.headers[.authorization]) }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            let number = recorder.connections.withLock { count -> Int in
                count += 1
                return count
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message, let json = JSONValue.decode(text) else { continue }
                recorder.requests.withLock { $0.append(json) }
                let keepOpen = try await script(number, json) { reply in try await outbound.write(.text(reply.encodedText())) }
                if !keepOpen { return }
            }
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: sockets),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-hub", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return FakeHub(port: port, recorder: recorder, task: task)
    }

    private init(port: Int, recorder: Recorder, task: Task<Void, any Error>) {
        self.port = port
        self.recorder = recorder
        self.task = task
    }

    var received: [JSONValue] { recorder.requests.withLock { $0 } }
    var authorizations: [String?] { recorder.authorizations.withLock { $0 } }
}
