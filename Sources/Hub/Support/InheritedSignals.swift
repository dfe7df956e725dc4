#if canImport(Glibc)
import Glibc
#endif

/// A process inherits its parent's blocked-signal mask across exec. Started by a thread that
/// blocks SIGTERM (a libdispatch worker in a test runner, some supervisors), the hub would
/// never see its shutdown signal; so every command unblocks all signals first.
public enum InheritedSignals {
    public static func unblockAll() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        // A child that dies while we write to its stdin (Piper, ffmpeg) must give EPIPE, not kill the hub.
        signal(SIGPIPE, SIG_IGN)
    }
}
