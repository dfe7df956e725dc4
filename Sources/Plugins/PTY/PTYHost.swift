#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// `clawmux pty-host`: holds an agent's pseudo-terminal apart from the hub, so the agent outlives
/// a hub that is killed or restarted (as tmux does for its sessions) and the next hub adopts it.
/// The hub hands over a listening unix socket (in the 0700 session dir) as standard input; the
/// host serves one connection at a time (a new one replaces the old), logs the terminal, keeps
/// its last output for the next connection, reaps the agent and reports its exit, then ends.
public enum PTYHost {
    public struct Options: Sendable {
        public var executable: String
        public var argv: [String]
        public var workingDirectory: String
        public var logFile: String?
        public var columns: UInt16
        public var rows: UInt16

        public init(executable: String, argv: [String], workingDirectory: String, logFile: String?, columns: UInt16, rows: UInt16) {
            self.executable = executable
            self.argv = argv
            self.workingDirectory = workingDirectory
            self.logFile = logFile
            self.columns = columns
            self.rows = rows
        }
    }

    /// Runs until the agent has ended and a hub has heard so; returns the host's exit status.
    public static func run(_ options: Options) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let started: ChildProcessLaunch.Started
        do {
            started = try ChildProcessLaunch.start(
                executable: options.executable, argv: options.argv, environment: ProcessInfo.processInfo.environment,
                workingDirectory: options.workingDirectory, columns: options.columns, rows: options.rows)
        } catch {
            FileHandle.standardError.write(Data("clawmux pty-host: \(error)\n".utf8))
            return 1
        }
        var loop = HostLoop(agent: started, logFile: options.logFile)
        return loop.run()
    }
}

/// The host's single-threaded poll loop (plus one thread that waits for the agent).
private struct HostLoop {
    private let listener: Int32 = 0
    private let agentPID: pid_t
    private var master: Int32
    private var client: Int32 = -1
    private var inbound: [UInt8] = []
    /// The last output, for a hub that connects later (its prompt watcher reads it).
    private var backlog: [UInt8] = []
    private let log: Int32
    private let exitSignal: (read: Int32, write: Int32)
    private let exitStatus = ExitStatus()

    final class ExitStatus: Sendable {
        let text = Mutex<String?>(nil)
    }

    init(agent: ChildProcessLaunch.Started, logFile: String?) {
        agentPID = agent.pid
        master = agent.masterFD
        log = logFile.map { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) } ?? -1
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        exitSignal = (fds[0], fds[1])
        let (pid, status, signalFD) = (agent.pid, exitStatus, fds[1])
        Thread.detachNewThread {
            // The end is noted before the agent is reaped: once its pid is gone, every hello
            // that follows says so.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            let code = info.si_code
            let value = info._sifields._sigchld.si_status
            status.text.withLock { $0 = code == CLD_EXITED ? "exited with status \(value)" : "killed by signal \(value)" }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            var byte: UInt8 = 1
            _ = write(signalFD, &byte, 1)
        }
    }

    mutating func run() -> Int32 {
        var agentEnded = false
        while true {
            var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: agentEnded ? -1 : exitSignal.read, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: client, events: Int16(POLLIN), revents: 0)]
            // After the agent ended: wait (a bounded time) for a hub to tell.
            let ready = poll(&watched, nfds_t(watched.count), agentEnded ? 10_000 : -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return 1
            }
            if ready == 0 { return 0 }
            if watched[2].revents != 0 { readTerminal() }
            if watched[3].revents != 0 { readClient() }
            if watched[1].revents != 0 {
                agentEnded = true
                drainTerminal()
                if reportExit() { return 0 }
            }
            if watched[0].revents != 0, acceptClient(agentEnded: agentEnded) { return 0 }
        }
    }

    /// Tells the connected hub how the agent ended; false when no hub is connected.
    private mutating func reportExit() -> Bool {
        guard client >= 0 else { return false }
        let status = exitStatus.text.withLock { $0 } ?? "ended"
        _ = TerminalSocket.send(PTYHostFrame.exited(status).encoded, to: client)
        close(client)
        client = -1
        return true
    }

    /// Greets a hub; true when the agent had ended and that hub was told so (the host's work is done).
    private mutating func acceptClient(agentEnded: Bool) -> Bool {
        let accepted = accept(listener, nil, nil)
        guard accepted >= 0 else { return false }
        _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
        if client >= 0 { close(client) }
        client = accepted
        inbound.removeAll()
        let ended = agentEnded ? exitStatus.text.withLock { $0 } ?? "ended" : nil
        var greeting = PTYHostFrame.hello(agentPID: agentPID, ended: ended).encoded
        if !backlog.isEmpty && ended == nil { greeting += PTYHostFrame.data(backlog).encoded }
        guard TerminalSocket.send(greeting, to: client) else {
            dropClient()
            return false
        }
        guard ended != nil else { return false }
        dropClient()
        return true
    }

    private mutating func dropClient() {
        if client >= 0 { close(client) }
        client = -1
        inbound.removeAll()
    }

    private mutating func readTerminal() {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = read(master, &buffer, buffer.count)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        // EIO: no process has the terminal open any more; the agent's exit is reported apart.
        guard count > 0 else {
            close(master)
            master = -1
            return
        }
        output(Array(buffer[0..<count]))
    }

    /// What the agent printed last, before its exit is reported.
    private mutating func drainTerminal() {
        guard master >= 0 else { return }
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        while master >= 0 {
            var buffer = [UInt8](repeating: 0, count: 16_384)
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { break }
            output(Array(buffer[0..<count]))
        }
    }

    private mutating func output(_ bytes: [UInt8]) {
        if log >= 0 { _ = bytes.withUnsafeBytes { write(log, $0.baseAddress, $0.count) } }
        backlog += bytes
        if backlog.count > 32_768 { backlog.removeFirst(backlog.count - 16_384) }
        if client >= 0, !TerminalSocket.send(PTYHostFrame.data(bytes).encoded, to: client) { dropClient() }
    }

    private mutating func readClient() {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = recv(client, &buffer, buffer.count, 0)
        if count < 0 && errno == EINTR { return }
        guard count > 0 else { return dropClient() }
        inbound += buffer[0..<count]
        do {
            while let frame = try PTYHostFrame.take(from: &inbound) {
                guard case .data(let keys) = frame, master >= 0 else { continue }
                var offset = 0
                while offset < keys.count {
                    let written = keys[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
        } catch {
            dropClient()
        }
    }
}
