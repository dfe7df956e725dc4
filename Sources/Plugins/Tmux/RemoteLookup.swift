import PluginAPI

/// Finds an agent's executable on a host as a login there would (`sh -l`: `~/.profile` puts
/// `~/.local/bin` and the like on the PATH), and that PATH, for the agent's own environment.
enum RemoteLookup {
    struct Found: Sendable, Equatable {
        let executable: String
        let path: String?
    }

    /// A fixed script; the command arrives as `$1`, never spliced into it. Its answer follows a
    /// marker line: a login profile may print things first.
    static let marker = "clawmux-lookup:"
    static let script = #"found=$(command -v -- "$1") || exit 127; printf '\n%s\n%s\n%s\n' "clawmux-lookup:" "$found" "$PATH""#

    static func find(_ command: String, on host: any HostShell) async throws -> Found {
        let result = try await host.run(["sh", "-lc", script, "sh", command], input: nil)
        guard result.succeeded, let found = parse(result.standardOutput) else {
            throw SpawnError.commandNotFound("\(command) (on \(host.hostName))")
        }
        return found
    }

    /// `command -v`'s answer (an absolute path: an alias or function would not run under tmux)
    /// and the PATH line.
    static func parse(_ output: String) -> Found? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.lastIndex(of: marker), start + 1 < lines.count else { return nil }
        let executable = lines[start + 1]
        guard executable.hasPrefix("/") else { return nil }
        let path = start + 2 < lines.count && !lines[start + 2].isEmpty ? lines[start + 2] : nil
        return Found(executable: executable, path: path)
    }
}
