import Foundation
import PluginAPI

/// An agent's environment on a host, in a file of its session directory (0600) that a fixed
/// start script exports before it execs the agent: the session's secret never appears on a
/// command line there or here (`tmux -e` would put it in the argv of ssh, sh and tmux).
enum RemoteEnvironment {
    /// Writes stdin to `$1`, private.
    static let writeScript = #"umask 077 && cat > "$1""#
    /// Exports the variables of the file `$1`, then runs the rest of the arguments.
    static let startScript = #"set -a && . "$1" && set +a && shift && exec "$@""#

    /// `NAME='value'` lines, each value single-quoted (a `'` inside as `'\''`).
    static func file(_ environment: [String: String]) throws -> String {
        try environment.sorted { $0.key < $1.key }.map { key, value in
            guard isName(key) else { throw SpawnError.failed("'\(key)' cannot be an environment variable's name") }
            return "\(key)='" + value.replacingOccurrences(of: "'", with: "'\\''") + "'\n"
        }.joined()
    }

    static func isName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Writes the file and returns the argv that starts `argv` with it.
    static func prepare(_ environment: [String: String], argv: [String], sessionDirectory: String, on host: any HostShell) async throws -> [String] {
        let path = sessionDirectory + "/agent.env"
        let written = try await host.run(["sh", "-c", writeScript, "sh", path], input: Data(try file(environment).utf8))
        guard written.succeeded else {
            throw SpawnError.failed("cannot write \(path) on \(host.hostName): \(written.standardError.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return ["/bin/sh", "-c", startScript, "sh", path] + argv
    }
}
