import Foundation

/// Lines for a person at a terminal. Writing never fails loudly: with SIGPIPE ignored, a closed
/// stdout (`clawmux serve | head -1`, a supervisor that stopped reading) gives EPIPE, and
/// Foundation's non-throwing `write(_:)` would crash the whole hub on it.
public enum Console {
    public static func out(_ line: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }

    public static func error(_ line: String) {
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }
}
