#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Logging
import BridgeProtocol
import Synchronization

/// The bridge's link to its session on the hub (`/mcp/{id}`). It reconnects with backoff when
/// the hub goes away and sends the converse in flight again (same `request_id`, so the hub
/// answers the one it has instead of starting another); a converse that cannot reach the hub
/// within the reconnect window gets an error, never a hang.
final class HubLink: Sendable {
    private struct InFlight {
        let text: String
        let completion: Completion<String>
        /// While the hub is unreachable: when the converse gives up.
        var deadline: ContinuousClock.Instant?
    }

    private struct State {
        var socket: HubSocket?
        /// The agent has asked for the tool list: told to the hub on every connection.
        var agentReady = false
        var inFlight: [String: InFlight] = [:]
        /// Oldest first: the original hub answers without a request id.
        var order: [String] = []
        var statusWaiters: [Completion<Bool?>] = []
        var stopped = false
    }

    private static let agentReadyMessage = BridgeRequest.agentReady.json.encodedText()
    private static let statusCheckMessage = BridgeRequest.statusCheck.json.encodedText()
    private let environment: BridgeEnvironment
    private let logger: Logger
    private let state = Mutex(State())

    init(environment: BridgeEnvironment, logger: Logger) {
        self.environment = environment
        self.logger = logger
    }

    var isConnected: Bool { state.withLock { $0.socket != nil } }

    /// Connects, and reconnects, on a thread of its own until `stop`.
    func start() {
        DispatchQueue(label: "clawmux.bridge.hub").async { self.run() }
    }

    func stop() {
        let socket = state.withLock { state -> HubSocket? in
            state.stopped = true
            return state.socket
        }
        socket?.shutdown()
    }

    private func run() {
        var backoff: Duration = .milliseconds(50)
        while !state.withLock({ $0.stopped }) {
            do {
                let socket = try HubSocket.connect(environment)
                let since = ContinuousClock.now
                connected(socket)
                var heard = false
                while let text = socket.receive() {
                    if !heard { heard = true; stable() }
                    received(text)
                }
                disconnected()
                // Only a connection that held (or answered) resets the backoff: a hub that closes
                // it at once (the session ended, another bridge took it) is not hammered.
                if heard || ContinuousClock.now - since > .seconds(3) { backoff = .milliseconds(50) }
            } catch {
                logger.debug("hub connection failed", metadata: ["url": "\(environment.url)", "error": "\(error)"])
            }
            usleep(UInt32(backoff.microseconds))
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    private func connected(_ socket: HubSocket) {
        let (resend, ready) = state.withLock { state -> ([String], Bool) in
            state.socket = socket
            return (state.order.compactMap { state.inFlight[$0]?.text }, state.agentReady)
        }
        logger.info("connected to the hub", metadata: ["url": "\(environment.url)"])
        // Ready first: the hub calls the session ready before the agent's first converse.
        if ready { _ = socket.sendText(Self.agentReadyMessage) }
        for text in resend { _ = socket.sendText(text) }
        // The converses in flight keep their deadlines until the connection proves itself:
        // one the hub closes at once must not keep a converse waiting for ever.
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(3)) { [weak socket] in
            guard let socket, self.state.withLock({ $0.socket === socket }) else { return }
            self.stable()
        }
    }

    private func stable() {
        state.withLock { state in
            for key in state.inFlight.keys { state.inFlight[key]?.deadline = nil }
        }
    }

    private func disconnected() {
        let deadline = ContinuousClock.now + environment.reconnectWindow
        let waiters = state.withLock { state -> [Completion<Bool?>] in
            state.socket = nil
            for key in state.inFlight.keys where state.inFlight[key]?.deadline == nil {
                state.inFlight[key]?.deadline = deadline
            }
            defer { state.statusWaiters.removeAll() }
            return state.statusWaiters
        }
        for waiter in waiters { waiter.resolve(nil) }
        logger.warning("lost the hub connection; reconnecting", metadata: ["url": "\(environment.url)"])
    }

    private func received(_ text: String) {
        switch BridgeReply.parse(text) {
        case .converseResult(let result, let requestID):
            let entry = state.withLock { state -> InFlight? in
                guard let key = requestID ?? state.order.first else { return nil }
                state.order.removeAll { $0 == key }
                return state.inFlight.removeValue(forKey: key)
            }
            entry?.completion.resolve(result)
        case .statusResult(let connected):
            let waiter = state.withLock { state in state.statusWaiters.isEmpty ? nil : state.statusWaiters.removeFirst() }
            waiter?.resolve(connected)
        case .error(let message):
            logger.warning("the hub refused a message", metadata: ["error": "\(message)"])
        case nil:
            logger.warning("unexpected message from the hub", metadata: ["text": "\(text.prefix(200))"])
        }
    }

    /// The agent finished its MCP handshake (it asked for the tools): the hub may now call the
    /// session ready and type its startup input. Said again after each reconnect.
    func agentReady() {
        let socket = state.withLock { state -> HubSocket? in
            guard !state.agentReady else { return nil }
            state.agentReady = true
            return state.socket
        }
        _ = socket?.sendText(Self.agentReadyMessage)
    }

    /// Sends a converse and waits for its result, across reconnects; `tick` runs every
    /// `tickEvery` while it waits (progress notifications).
    func converse(message: String, waitForResponse: Bool, tickEvery: Duration, tick: () -> Void) -> String {
        // Random bits from getrandom (`UUID()` opens /dev/urandom for each one).
        let id = String(UInt64.random(in: .min ... .max), radix: 16) + String(UInt64.random(in: .min ... .max), radix: 16)
        let text = BridgeRequest.converse(message: message, waitForResponse: waitForResponse, requestID: id).json.encodedText()
        // The hub takes bridge messages up to 4 MiB; a bigger one would be refused on every
        // reconnect, for ever.
        guard text.utf8.count < BridgeProtocol.maxMessageBytes else { return "Error: the message is too long to send to the hub." }
        let completion = Completion<String>()
        let socket = state.withLock { state -> HubSocket? in
            state.inFlight[id] = InFlight(
                text: text, completion: completion,
                deadline: state.socket == nil ? ContinuousClock.now + environment.reconnectWindow : nil)
            state.order.append(id)
            return state.socket
        }
        // A failed send is noticed by the reader, and the converse is sent again once reconnected.
        if let socket { _ = socket.sendText(text) }
        var lastTick = ContinuousClock.now
        while true {
            if let result = completion.wait(timeout: min(tickEvery, .seconds(1))) { return result }
            let expired = state.withLock { state -> Bool in
                guard let deadline = state.inFlight[id]?.deadline, deadline <= .now else { return false }
                state.inFlight[id] = nil
                state.order.removeAll { $0 == id }
                return true
            }
            if expired {
                return "Error: the ClawMux hub at \(environment.url) is unreachable (retried for \(environment.reconnectWindow)). Is it running?"
            }
            if ContinuousClock.now - lastTick >= tickEvery {
                lastTick = .now
                tick()
            }
        }
    }

    /// Whether a browser listens (the original's `status_check`); nil when the hub is
    /// unreachable or does not answer in time.
    func browserConnected() -> Bool? {
        let waiter = Completion<Bool?>()
        guard let socket = state.withLock({ state -> HubSocket? in
            guard let socket = state.socket else { return nil }
            state.statusWaiters.append(waiter)
            return socket
        }) else { return nil }
        _ = socket.sendText(Self.statusCheckMessage)
        guard let answer = waiter.wait(timeout: .seconds(5)) else {
            // No answer: later replies must not be matched to this stale question.
            state.withLock { state in state.statusWaiters.removeAll { $0 === waiter } }
            return nil
        }
        return answer
    }
}
