import Foundation
import WireJSON

/// The folders Claude Code knows (the `projects` of `~/.claude.json`), offered in New Session.
/// Read only: the hub never writes the user's Claude Code files.
enum ClaudeKnownProjects {
    static func read(home: String?) -> [String] {
        let path = (home ?? "") + "/.claude.json"
        // Its size first: a file this big is not Claude Code's, and is not read.
        guard let home, !home.isEmpty,
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size < 64 << 20,
              let data = FileManager.default.contents(atPath: path),
              let json = JSONValue.decode(String(decoding: data, as: UTF8.self)),
              case .object(let projects)? = json["projects"] else { return [] }
        return projects.keys.filter { $0.hasPrefix("/") }.sorted()
    }
}
