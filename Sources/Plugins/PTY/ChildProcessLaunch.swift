#if canImport(Glibc)
import Glibc
#endif
import PluginAPI

/// Starts `argv` on a new pseudo-terminal with `forkpty`. Everything the child needs is
/// prepared before the fork: after it, the child only calls async-signal-safe functions.
enum ChildProcessLaunch {
    struct Started {
        let pid: pid_t
        let masterFD: Int32
    }

    /// One call instead of one close per possible descriptor (20 000 here: ~20 000 system
    /// calls in every spawn, the benchmark found). glibc ≥ 2.34; the loop stays as fallback.
    private static let closeRange: CloseRange? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "close_range").map {
        unsafeBitCast($0, to: CloseRange.self)
    }

    static func start(executable: String, argv: [String], environment: [String: String],
                      workingDirectory: String, columns: UInt16, rows: UInt16) throws -> Started {
        let cArgv = CStringArray(argv)
        let cEnv = CStringArray(environment.map { "\($0.key)=\($0.value)" }.sorted())
        let cPath = CStringArray([executable, workingDirectory])
        defer { cArgv.free(); cEnv.free(); cPath.free() }

        // Computed before the fork: the child may only make async-signal-safe calls.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let descriptorLimit = Int32(clamping: min(limit.rlim_cur, 65_536))
        let closeRange = Self.closeRange
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        var master: Int32 = -1
        let pid = forkpty(&master, nil, nil, &size)
        if pid == 0 {
            // Child: the hub's threads ignore SIGPIPE and may block signals; the agent must not inherit that.
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            signal(SIGPIPE, SIG_DFL)
            // Only the terminal: the hub's sockets and files must not leak into the agent.
            // Plain pattern matching and Int32 comparison: nothing generic after fork.
            if let closeRange, closeRange(3, UInt32.max, 0) == 0 {
                // Done in one call.
            } else {
                for fd in 3..<descriptorLimit { close(fd) }
            }
            if chdir(cPath.pointers[1]!) != 0 { _exit(126) }
            execve(cPath.pointers[0]!, cArgv.pointers, cEnv.pointers)
            _exit(127)
        }
        guard pid > 0 else {
            throw SpawnError.failed("forkpty failed: \(String(cString: strerror(errno)))")
        }
        // The hub must not leak the master into later children.
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        return Started(pid: pid, masterFD: master)
    }
}

/// `int close_range(unsigned first, unsigned last, int flags)`, which Swift's Glibc module does not show.
private typealias CloseRange = @convention(c) (UInt32, UInt32, Int32) -> Int32

/// A NULL-terminated `char *[]` owning its strings.
private struct CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    init(_ strings: [String]) {
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointers[index] = strdup(string)
        }
        pointers[strings.count] = nil
        count = strings.count
    }

    private let count: Int

    func free() {
        for index in 0..<count { Glibc.free(pointers[index]) }
        pointers.deallocate()
    }
}
