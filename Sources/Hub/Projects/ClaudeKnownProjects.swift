import Foundation

/// The folders Claude Code knows (the `projects` of `~/.claude.json`), offered in New Session.
/// Read only: the hub never writes the user's Claude Code files.
enum ClaudeKnownProjects {
    static func read(home: String?) -> [String] {
        guard let home, !home.isEmpty,
              let data = FileManager.default.contents(atPath: home + "/.claude.json"), data.count < 64 << 20,
              let json = JSONValue.decode(String(decoding: data, as: UTF8.self)),
              case .object(let projects)? = json["projects"] else { return [] }
        return projects.keys.filter { $0.hasPrefix("/") }.sorted()
    }
}
