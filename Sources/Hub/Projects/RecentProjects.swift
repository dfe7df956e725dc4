import Foundation
import WireJSON

/// Project folders sessions were started in, newest first, kept in the state dir
/// (`recent-projects.json`) so the page can offer them again after a restart.
actor RecentProjects {
    private let file: String
    private var paths: [String]
    static let limit = 20

    init(stateDirectory: String) {
        file = stateDirectory + "/recent-projects.json"
        let stored = FileManager.default.contents(atPath: file).flatMap { JSONValue.decode(String(decoding: $0, as: UTF8.self)) }
        paths = stored?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    var all: [String] { paths }

    func used(_ path: String) {
        paths.removeAll { $0 == path }
        paths.insert(path, at: 0)
        if paths.count > Self.limit { paths.removeLast(paths.count - Self.limit) }
        let text = JSONValue.array(paths.map(JSONValue.string)).encodedText()
        try? FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true)
        // Written aside and renamed: a crash never leaves half a list.
        let temporary = file + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            _ = rename(temporary, file)
        }
    }
}
