#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginAPI
import Synchronization
import PluginRuntime

/// The hub's side of an agent on a pseudo-terminal that a `clawmux pty-host` holds: keystrokes
/// go to the host, the terminal's output comes back to listeners; the agent is reported gone
/// when the host says it ended (or the host itself is gone).
final class PTYAgent: SpawnedAgent, Sendable {
    let pid: pid_t
    private let socket: Int32
    /// The host process, when this hub started it (an adopted one is another hub's child).
    private let host: ChildProcess?
    private let state: Mutex<State>
    /// Signalled when the host has reported the end (or is gone).
    private let ended = OnceSignal()

    private struct State {
        var exited = false
        var closed = false
        var listeners: [UUID: AsyncStream<String>.Continuation] = [:]
        /// What the terminal shows, rendered from all output so far (an agent may draw its
        /// first dialog before anyone listens).
        var screen: TerminalScreen
        /// The screen as text when last rendered; nil when output came since. Rendered only
        /// for someone who looks: an agent redraws for hours while nobody listens.
        var screenText: String?

        mutating func renderedScreen() -> String {
            if let screenText { return screenText }
            let text = screen.text
            screenText = text
            return text
        }
    }

    /// Connects to the host at `socketPath` and reads its hello (blocking, but the host answers
    /// at once: it is either running or gone).
    static func connect(socketPath: String, host: ChildProcess?, columns: UInt16, rows: UInt16) throws -> PTYAgent {
        let fd = try TerminalSocket.connect(to: socketPath)
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64)
        // A deadline, should something else be listening there.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while true {
            if case .hello(let pid, let ended)? = try? PTYHostFrame.take(from: &buffer) {
                timeout = timeval(tv_sec: 0, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                return PTYAgent(
                    pid: pid, socket: fd, host: host, pending: buffer, ended: ended != nil,
                    screen: TerminalScreen(columns: Int(columns), rows: Int(rows)))
            }
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0, buffer.count < 64 else {
                close(fd)
                throw SpawnError.failed("the terminal host at \(socketPath) did not answer")
            }
            buffer += chunk[0..<count]
        }
    }

    private init(pid: pid_t, socket: Int32, host: ChildProcess?, pending: [UInt8], ended: Bool, screen: TerminalScreen) {
        self.state = Mutex(State(screen: screen))
        self.pid = pid
        self.socket = socket
        self.host = host
        guard !ended else {
            // The host said so in its hello and has closed the connection: nothing to read.
            state.withLock { $0.exited = true }
            self.ended.fire()
            return
        }
        startReading(pending: pending)
    }

    /// One queue for every agent's terminal: output is read when it comes, without a thread
    /// per session waiting for it.
    private static let readers = DispatchQueue(label: "clawmux.pty.readers")

    var debugDescription: String { "pty pid \(pid)" }

    func send(_ keys: [TerminalKey]) async throws {
        // Arrow keys in the form the program asked for; frames of at most the size a host takes.
        try state.withLock { state in
            let bytes = keys.flatMap {
                $0.bytes(applicationCursor: state.screen.applicationCursorKeys, bracketedPaste: state.screen.bracketedPaste)
            }
            let frames = stride(from: 0, to: bytes.count, by: PTYHostFrame.maxPayload).map {
                PTYHostFrame.data(Array(bytes[$0..<min(bytes.count, $0 + PTYHostFrame.maxPayload)])).encoded
            }
            guard !state.closed, !state.exited, frames.allSatisfy({ TerminalSocket.send($0, to: socket) }) else {
                throw SpawnError.failed("the agent's terminal is closed")
            }
        }
    }

    func isAlive() async -> Bool {
        !state.withLock { $0.exited }
    }

    func terminate() async {
        // forkpty made the agent a session and group leader: signal the group, then any stragglers.
        let tree = [pid] + ProcessTree.descendants(of: pid)
        if !state.withLock({ $0.exited }) { kill(-pid, SIGTERM) }
        await ProcessTree.terminate(tree)
        // The host reaps the agent, tells, and ends.
        let ended = self.ended
        let reported = (try? await withTimeout(.seconds(3)) { await ended.wait() }) != nil && ended.hasFired
        if !reported, let host { _ = await host.terminate(grace: .seconds(1)) }
        closeSocket()
    }

    func screens() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        // Under the lock, so no change falls between the current screen and the live stream.
        state.withLock { state in
            continuation.yield(state.renderedScreen())
            if state.closed || state.exited {
                continuation.finish()
            } else {
                state.listeners[id] = continuation
            }
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    func lastScreen() async -> String? {
        let text = state.withLock { $0.renderedScreen() }
        return text.isEmpty ? nil : text
    }

    /// Reads frames as they arrive; the agent is gone at the host's `exited` or when its
    /// connection ends (the host killed with the agent, or `closeSocket` here).
    private func startReading(pending: [UInt8]) {
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        let source = DispatchSource.makeReadSource(fileDescriptor: socket, queue: Self.readers)
        let reader = FrameReader(inbound: pending, source: source)
        source.setEventHandler { [self] in
            var chunk = [UInt8](repeating: 0, count: 16_384)
            var over = false
            while true {
                let count = recv(socket, &chunk, chunk.count, 0)
                if count < 0 && errno == EINTR { continue }
                if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
                guard count > 0 else { over = true; break }
                reader.inbound += chunk[0..<count]
            }
            if !over { over = !drain(reader) }
            if over { finishReading(reader) }
        }
        source.resume()
        // What came with the hello (the backlog, maybe the exit) is handled at once.
        Self.readers.async { [self] in
            if !drain(reader) { finishReading(reader) }
        }
    }

    private func finishReading(_ reader: FrameReader) {
        reader.source.cancel()
        let first = state.withLock { state -> Bool in
            defer { state.exited = true }
            return !state.exited
        }
        guard first else { return }
        finishListeners()
        ended.fire()
    }

    /// Handles the complete frames read so far; false once the host said the agent ended
    /// (or sent something no host sends).
    private func drain(_ reader: FrameReader) -> Bool {
        do {
            while let frame = try PTYHostFrame.take(from: &reader.inbound) {
                switch frame {
                case .data(let bytes): deliver(bytes, partial: &reader.partial)
                case .exited: return false
                case .hello: continue
                }
            }
            return true
        } catch {
            return false
        }
    }

    /// Bytes read but not yet a whole frame, output not yet a whole UTF-8 character, and the
    /// read source; only touched on the readers' queue.
    private final class FrameReader: @unchecked Sendable {
        var inbound: [UInt8]
        var partial: [UInt8] = []
        let source: any DispatchSourceRead
        init(inbound: [UInt8], source: any DispatchSourceRead) {
            self.inbound = inbound
            self.source = source
        }
    }

    private func deliver(_ bytes: [UInt8], partial: inout [UInt8]) {
        partial += bytes
        let complete = UTF8Boundary.completePrefixLength(of: partial)
        let text = String(decoding: partial[0..<complete], as: UTF8.self)
        partial.removeFirst(complete)
        // Yield outside the lock: a yield resumes the listening task, which takes that task's
        // status lock, while cancelling that task takes its status lock first and then ours (in
        // `onTermination`): yielding under our lock deadlocked the two (found by the benchmark:
        // a hub that never finished shutting down). The screen and the listeners are read
        // together, so a listener that joins now gets this screen once, from one or the other.
        let (listeners, screen) = state.withLock { state -> ([AsyncStream<String>.Continuation], String?) in
            state.screen.feed(text)
            let previous = state.screenText
            state.screenText = nil
            guard !state.listeners.isEmpty else { return ([], nil) }
            let rendered = state.renderedScreen()
            guard rendered != previous else { return ([], nil) }
            return (Array(state.listeners.values), rendered)
        }
        guard let screen else { return }
        for listener in listeners { listener.yield(screen) }
    }

    private func finishListeners() {
        let listeners = state.withLock { state -> [AsyncStream<String>.Continuation] in
            defer { state.listeners.removeAll() }
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.finish() }
    }

    private func closeSocket() {
        let shouldClose = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        // shutdown wakes the reader; the descriptor is closed once, on deinit.
        if shouldClose { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    deinit {
        close(socket)
    }
}
