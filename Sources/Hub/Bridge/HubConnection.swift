import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging

/// The bridge's WebSocket to the hub. It reconnects with backoff when the hub goes away and
/// re-sends the converse in flight (same `request_id`) once the hub is back; a converse that
/// cannot be delivered within the reconnect window is answered with an error, never left hanging.
actor HubConnection {
    enum Failure: Error, CustomStringConvertible {
        case hubUnreachable(url: String, window: Duration)
        case closed

        var description: String {
            switch self {
            case .hubUnreachable(let url, let window):
                "Error: the ClawMux hub at \(url) is unreachable (retried for \(window)). Is it running?"
            case .closed: "Error: the voice bridge is shutting down"
            }
        }
    }

    private struct InFlight {
        let request: BridgeRequest
        let continuation: CheckedContinuation<String, any Error>
        /// Set while the hub is unreachable: when the request gives up.
        var deadline: ContinuousClock.Instant?
    }

    private let environment: BridgeEnvironment
    private let logger: Logger
    private var writer: WebSocketOutboundWriter?
    private var inFlight: [String: InFlight] = [:]
    private var statusWaiters: [CheckedContinuation<Bool, any Error>] = []

    init(environment: BridgeEnvironment, logger: Logger) {
        self.environment = environment
        self.logger = logger
    }

    var isConnected: Bool { writer != nil }

    /// Connects, and reconnects, until cancelled.
    func run() async {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 24)
        if let token = environment.token {
            configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        }
        var backoff: Duration = .milliseconds(50)
        while !Task.isCancelled {
            do {
                try await WebSocketClient.connect(url: environment.url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    await self.connected(outbound)
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        if case .text(let text) = message { await self.received(text) }
                    }
                }
                backoff = .milliseconds(50)
            } catch {
                logger.debug("hub connection failed", metadata: ["url": "\(environment.url)", "error": "\(error)"])
            }
            disconnected()
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
        failAll(Failure.closed)
    }

    /// Sends a converse and waits for its result, across reconnects.
    func converse(message: String, waitForResponse: Bool) async throws -> String {
        let requestID = UUID().uuidString
        let request = BridgeRequest.converse(message: message, waitForResponse: waitForResponse, requestID: requestID)
        return try await withCheckedThrowingContinuation { continuation in
            inFlight[requestID] = InFlight(
                request: request, continuation: continuation,
                deadline: writer == nil ? ContinuousClock.now + environment.reconnectWindow : nil)
            if writer == nil {
                scheduleExpiry()
            } else {
                Task { await self.write(request) }
            }
        }
    }

    /// Whether a browser is connected to the hub (the original's `status_check`).
    func browserConnected() async throws -> Bool {
        guard writer != nil else { return false }
        return try await withCheckedThrowingContinuation { continuation in
            statusWaiters.append(continuation)
            Task { await self.write(.statusCheck) }
        }
    }

    private func connected(_ outbound: WebSocketOutboundWriter) async {
        writer = outbound
        logger.info("connected to the hub", metadata: ["url": "\(environment.url)"])
        for key in Array(inFlight.keys) {
            inFlight[key]?.deadline = nil
            if let request = inFlight[key]?.request { await write(request) }
        }
    }

    private func disconnected() {
        guard writer != nil else { return }
        writer = nil
        logger.warning("lost the hub connection; reconnecting", metadata: ["url": "\(environment.url)"])
        let deadline = ContinuousClock.now + environment.reconnectWindow
        for key in Array(inFlight.keys) where inFlight[key]?.deadline == nil {
            inFlight[key]?.deadline = deadline
        }
        for waiter in statusWaiters { waiter.resume(returning: false) }
        statusWaiters.removeAll()
        scheduleExpiry()
    }

    private func scheduleExpiry() {
        let window = environment.reconnectWindow
        Task {
            try? await Task.sleep(for: window)
            self.expire()
        }
    }

    private func expire() {
        let now = ContinuousClock.now
        for (key, entry) in inFlight {
            if let deadline = entry.deadline, deadline <= now {
                inFlight[key] = nil
                entry.continuation.resume(throwing: Failure.hubUnreachable(url: environment.url, window: environment.reconnectWindow))
            }
        }
    }

    private func received(_ text: String) {
        switch BridgeReply.parse(text) {
        case .converseResult(let result, let requestID)?:
            // The original hub echoes no request id: the oldest converse is the one answered.
            let key = requestID ?? inFlight.keys.sorted().first
            guard let key, let entry = inFlight.removeValue(forKey: key) else { return }
            entry.continuation.resume(returning: result)
        case .statusResult(let connected)?:
            if !statusWaiters.isEmpty { statusWaiters.removeFirst().resume(returning: connected) }
        case .error(let message)?:
            logger.warning("the hub refused a message", metadata: ["error": "\(message)"])
        case nil:
            logger.warning("unexpected message from the hub", metadata: ["text": "\(text.prefix(200))"])
        }
    }

    private func write(_ request: BridgeRequest) async {
        guard let writer else { return }
        do {
            try await writer.write(.text(request.json.encodedText()))
        } catch {
            logger.debug("write to hub failed; will resend after reconnecting", metadata: ["error": "\(error)"])
        }
    }

    private func failAll(_ error: any Error) {
        for entry in inFlight.values { entry.continuation.resume(throwing: error) }
        inFlight.removeAll()
        for waiter in statusWaiters { waiter.resume(throwing: error) }
        statusWaiters.removeAll()
    }
}
