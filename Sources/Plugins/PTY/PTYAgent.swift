#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginAPI
import Synchronization

/// An agent on a pseudo-terminal the hub owns: a reader thread copies the terminal's output to
/// the session's log file and to listeners; a waiter thread reaps the child when it exits.
final class PTYAgent: SpawnedAgent, Sendable {
    let pid: pid_t
    private let masterFD: Int32
    private let state = Mutex(State())
    /// Signalled when the reader has drained the terminal, so exit is reported after the last output.
    private let readerDone = DispatchSemaphore(value: 0)

    private struct State {
        var exited = false
        var masterClosed = false
        var listeners: [UUID: AsyncStream<String>.Continuation] = [:]
        /// Recent output, handed to each new listener first: an agent may print its first
        /// prompt before anyone listens.
        var backlog = ""
    }

    init(pid: pid_t, masterFD: Int32, logFile: String?) {
        self.pid = pid
        self.masterFD = masterFD
        let log = logFile.flatMap { path -> FileHandle? in
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            return FileHandle(forWritingAtPath: path)
        }
        Thread.detachNewThread { [self] in readLoop(log: log) }
        Thread.detachNewThread { [self] in waitForExit() }
    }

    var debugDescription: String { "pty pid \(pid)" }

    func type(_ text: String, pressEnter: Bool) async throws {
        // A terminal's Enter key sends carriage return.
        let bytes = Array((text + (pressEnter ? "\r" : "")).utf8)
        try state.withLock { state in
            guard !state.masterClosed else { throw SpawnError.failed("the agent's terminal is closed") }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(masterFD, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    throw SpawnError.failed("writing to the agent's terminal: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    func isAlive() async -> Bool {
        !state.withLock { $0.exited }
    }

    func terminate() async {
        // forkpty made the child a session and group leader: signal the group, then any stragglers.
        let tree = [pid] + ProcessTree.descendants(of: pid)
        if !state.withLock({ $0.exited }) { kill(-pid, SIGTERM) }
        await ProcessTree.terminate(tree)
        closeMaster()
    }

    func terminalOutput() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(64))
        let id = UUID()
        // Under the lock, so no output falls between the backlog and the live stream.
        state.withLock { state in
            if !state.backlog.isEmpty { continuation.yield(state.backlog) }
            if state.masterClosed || state.exited {
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

    private func readLoop(log: FileHandle?) {
        var buffer = [UInt8](repeating: 0, count: 8192)
        var pending: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(masterFD, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            // EIO: the child side closed (the agent exited).
            guard count > 0 else { break }
            try? log?.write(contentsOf: Data(buffer[0..<count]))
            pending += buffer[0..<count]
            let complete = UTF8Boundary.completePrefixLength(of: pending)
            let text = String(decoding: pending[0..<complete], as: UTF8.self)
            pending.removeFirst(complete)
            state.withLock { state in
                state.backlog += text
                if state.backlog.utf8.count > 32_768 { state.backlog = String(state.backlog.suffix(16_384)) }
                for listener in state.listeners.values { listener.yield(text) }
            }
        }
        try? log?.close()
        readerDone.signal()
    }

    private func waitForExit() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Let the reader log and pass on what the agent printed last (a process it left behind
        // may keep the terminal open, hence the bound); only then is the agent reported gone.
        _ = readerDone.wait(timeout: .now() + .milliseconds(500))
        state.withLock { $0.exited = true }
        finishListeners()
    }

    private func finishListeners() {
        let listeners = state.withLock { state -> [AsyncStream<String>.Continuation] in
            defer { state.listeners.removeAll() }
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.finish() }
    }

    private func closeMaster() {
        let shouldClose = state.withLock { state -> Bool in
            defer { state.masterClosed = true }
            return !state.masterClosed
        }
        if shouldClose { close(masterFD) }
    }

    deinit {
        if !state.withLock({ $0.masterClosed }) { close(masterFD) }
    }
}
