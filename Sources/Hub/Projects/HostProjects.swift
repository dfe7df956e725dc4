import Foundation
import WireJSON

/// The folders New Session offers for a host: its config entry's `projects`, the recent ones
/// there, and those Claude Code knows there (its `~/.claude.json`, read, never written); each
/// checked on the host in one command.
enum HostProjects {
    /// Prints 1 or 0 for each argument: whether it is a folder.
    static let existsScript = #"for d; do if [ -d "$d" ]; then echo 1; else echo 0; fi; done"#

    static func report(host name: String, links: HostLinks, recent: [String]) async throws -> JSONValue {
        let place = try await links.place(of: name)
        let configured = (links.host(named: name)?.projects ?? []).map(place.expanding)
        let claude = try await links.run(["sh", "-c", ClaudeKnownProjects.hostScript], on: name, limit: 64 << 20)
        let known = claude.succeeded ? ClaudeKnownProjects.parse(claude.standardOutput) : []
        var seen = Set<String>()
        var candidates: [(path: String, source: String)] = []
        for (paths, source) in [(configured, "config"), (recent, "recent"), (known, "claude")] {
            for path in paths where seen.insert(path).inserted { candidates.append((path, source)) }
        }
        let checked = try await links.run(["sh", "-c", existsScript, "sh"] + candidates.map(\.path), on: name)
        let exists = checked.standardOutput.split(separator: "\n").map { $0 == "1" }
        return .object(["host": .string(name), "projects": .array(candidates.enumerated().map { index, candidate in
            .object([
                "path": .string(candidate.path), "name": .string(ProjectFolder.name(of: candidate.path)),
                "source": .string(candidate.source), "exists": .bool(index < exists.count && exists[index]),
            ])
        })])
    }
}
