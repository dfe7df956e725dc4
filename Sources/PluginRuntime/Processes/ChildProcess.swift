#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A child process started with `posix_spawn` (argv, never a shell) in its own process group,
/// with default signal handling, reaped by a thread of its own so it never lingers as a zombie.
/// Used for engines the hub launches and for engines that are subprocesses (Piper).
public final class ChildProcess: Sendable {
    public enum Stream: Sendable {
        case null
        case pipe
        /// Appended to (created with mode 0644); as stdin, read.
        case file(String)
        /// stderr only: wherever stdout goes.
        case stdout
        /// A descriptor of the caller's (e.g. a listening socket handed to the child as stdin).
        case descriptor(Int32)
    }

    public enum LaunchError: Error, CustomStringConvertible {
        case spawn(executable: String, errno: Int32)
        case openFile(String, errno: Int32)

        public var description: String {
            switch self {
            case .spawn(let executable, let code): "cannot start \(executable): \(String(cString: strerror(code)))"
            case .openFile(let path, let code): "cannot open \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    public let pid: pid_t
    /// Write end of the child's stdin (when `.pipe`); closed by `closeInput()` or on deinit.
    public let input: FileHandle?
    /// Read ends of the child's stdout/stderr (when `.pipe`).
    public let output: FileHandle?
    public let errorOutput: FileHandle?
    private let exit: ExitBox

    /// How the process ended: `exited(code)` or `signalled(signal)`.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signalled(let signal): "was killed by signal \(signal)\(Self.signalNames[signal].map { " (\($0))" } ?? "")"
            }
        }

        private static let signalNames: [Int32: String] = [
            SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGPIPE: "SIGPIPE",
        ]
    }

    public init(
        argv: [String], environment: [String: String] = [:],
        stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null
    ) throws {
        precondition(!argv.isEmpty, "argv needs the executable")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32: Int32] = [:]
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }

        func wire(_ stream: Stream, to target: Int32, readByChild: Bool) throws {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", readByChild ? O_RDONLY : O_WRONLY, 0)
            case .stdout:
                posix_spawn_file_actions_adddup2(&actions, 1, target)
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .file(let path):
                let fd = readByChild ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw LaunchError.openFile(path, errno: errno) }
                childEnds.append(fd)
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .pipe:
                var fds: [Int32] = [0, 0]
                guard pipe(&fds) == 0 else { throw LaunchError.openFile("a pipe", errno: errno) }
                // Only the child's copy (made by dup2) survives exec: no other child inherits these.
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                let (childEnd, parentEnd) = readByChild ? (fds[0], fds[1]) : (fds[1], fds[0])
                childEnds.append(childEnd)
                parentEnds[target] = parentEnd
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
            }
        }
        do {
            try wire(stdin, to: 0, readByChild: true)
            try wire(stdout, to: 1, readByChild: false)
            try wire(stderr, to: 2, readByChild: false)
        } catch {
            for fd in parentEnds.values { close(fd) }
            throw error
        }
        // After the dup2s (actions run in order): the hub's own descriptors (its listening socket,
        // engine connections, other children's pipes) must not live on in an engine that may outlive it.
        Self.closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (a terminal's Ctrl-C reaches the hub, which stops its children in
        // order), no blocked signals, default dispositions for the ones the hub handles.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let environ = merged.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = Self.withCStrings(argv) { argvPointers in
            Self.withCStrings(environ) { environPointers in
                argv[0].contains("/")
                    ? posix_spawn(&pid, argv[0], &actions, &attributes, argvPointers, environPointers)
                    : posix_spawnp(&pid, argv[0], &actions, &attributes, argvPointers, environPointers)
            }
        }
        guard result == 0 else {
            for fd in parentEnds.values { close(fd) }
            throw LaunchError.spawn(executable: argv[0], errno: result)
        }
        self.pid = pid
        self.input = parentEnds[0].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.output = parentEnds[1].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.errorOutput = parentEnds[2].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.exit = ExitBox()
        let box = exit
        ProcessReaper.watch(pid) { box.finish($0) }
    }

    /// Returns when the process has ended (and been reaped).
    public func waitForExit() async -> Termination {
        await exit.wait()
    }

    /// Set once the process has ended.
    public var termination: Termination? { exit.result }

    /// Sends `signal` to the process's whole group, unless it has already been reaped
    /// (its pid may belong to someone else by now).
    public func signalGroup(_ signal: Int32) {
        exit.ifRunning { kill(-pid, signal) }
    }

    /// SIGTERM to the group; SIGKILL after `grace`. Returns once the process is reaped.
    @discardableResult
    public func terminate(grace: Duration = .seconds(3)) async -> Termination {
        signalGroup(SIGTERM)
        let box = exit
        let pid = pid
        let killer = Task {
            try await Task.sleep(for: grace)
            box.ifRunning { kill(-pid, SIGKILL) }
        }
        let result = await waitForExit()
        killer.cancel()
        return result
    }

    /// Closes our end of stdin: the child reads end of file.
    public func closeInput() {
        try? input?.close()
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34+ closes every descriptor from 3 up in the child (`addclosefrom_np`, looked up
    /// at run time since the Glibc module does not export it); older ones get FD_CLOEXEC set on
    /// our open descriptors instead.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
            if addCloseFrom(&actions, 3) == 0 { return }
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// The exit status, set once by the reaper; async waiters are resumed then.
private final class ExitBox: Sendable {
    private struct State {
        var value: ChildProcess.Termination?
        var waiters: [CheckedContinuation<ChildProcess.Termination, Never>] = []
    }

    private let state = Mutex(State())

    var result: ChildProcess.Termination? { state.withLock { $0.value } }

    func finish(_ termination: ChildProcess.Termination) {
        let pending = state.withLock { state in
            state.value = termination
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in pending { waiter.resume(returning: termination) }
    }

    func wait() async -> ChildProcess.Termination {
        await withCheckedContinuation { continuation in
            let ready: ChildProcess.Termination? = state.withLock { state in
                if let value = state.value { return value }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Runs `body` while holding the lock, only if the process has not been reaped, so a signal
    /// never reaches a recycled pid.
    func ifRunning(_ body: () -> Void) {
        state.withLock { state in if state.value == nil { body() } }
    }
}
