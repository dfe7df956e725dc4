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
              let data = FileManager.default.contents(atPath: path) else { return [] }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// The project folders in the text of a `~/.claude.json` (here, or read on a host).
    static func parse(_ text: String) -> [String] {
        guard let json = JSONValue.decode(text), case .object(let projects)? = json["projects"] else { return [] }
        return projects.keys.filter { $0.hasPrefix("/") }.sorted()
    }

    /// Prints `~/.claude.json` on a host when it is of a sane size (read only, like here).
    static let hostScript = #"f="$HOME/.claude.json"; [ -f "$f" ] && [ "$(wc -c < "$f")" -lt 67108864 ] && cat -- "$f""#
}
