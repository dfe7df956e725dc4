import Foundation
import WireJSON

/// Project folders sessions were started in, newest first, per machine (this one, and each
/// host of `hosts:`), kept in the state dir (`recent-projects.json`,
/// `recent-projects@<host>.json`) so the page can offer them again after a restart.
actor RecentProjects {
    private let stateDirectory: String
    private var paths: [String: [String]] = [:]
    static let limit = 20

    init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// nil: this machine. Host names are letters, digits, - and _ (SSHHost), safe in a file name.
    private func file(_ host: String?) -> String {
        stateDirectory + (host.map { "/recent-projects@\($0).json" } ?? "/recent-projects.json")
    }

    private func load(_ host: String?) -> [String] {
        if let known = paths[host ?? ""] { return known }
        let stored = FileManager.default.contents(atPath: file(host)).flatMap { JSONValue.decode(String(decoding: $0, as: UTF8.self)) }
        let loaded = stored?.arrayValue?.compactMap(\.stringValue) ?? []
        paths[host ?? ""] = loaded
        return loaded
    }

    func all(on host: String? = nil) -> [String] { load(host) }

    func used(_ path: String, on host: String? = nil) {
        var list = load(host)
        list.removeAll { $0 == path }
        list.insert(path, at: 0)
        if list.count > Self.limit { list.removeLast(list.count - Self.limit) }
        paths[host ?? ""] = list
        let text = JSONValue.array(list.map(JSONValue.string)).encodedText()
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        // Written aside and renamed: a crash never leaves half a list.
        let target = file(host)
        let temporary = target + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            _ = rename(temporary, target)
        }
    }
}
