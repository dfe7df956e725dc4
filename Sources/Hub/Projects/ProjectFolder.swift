#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A folder the user chose for an agent to work in, checked before anything is started there.
enum ProjectFolder {
    /// The folder as given (absolute, `.`/`..` resolved, no trailing slash), or why it cannot be
    /// used. Never inside `hubFolder` (the hub's sessions: other sessions' secrets live there).
    static func validated(_ path: String, outside hubFolder: String) -> Result<String, ProjectFolderError> {
        guard !path.isEmpty else { return .failure(.init("cwd is empty; give an absolute folder path")) }
        guard path.hasPrefix("/") else {
            return .failure(.init("cwd must be an absolute path (starting with /), got \"\(path)\""))
        }
        guard !path.utf8.contains(0), path.utf8.count <= 4096 else { return .failure(.init("cwd is not a valid path")) }
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory) else {
            return .failure(.init("cwd \"\(standardized)\" does not exist"))
        }
        guard isDirectory.boolValue else { return .failure(.init("cwd \"\(standardized)\" is a file, not a folder")) }
        // The agent must be able to list and enter it.
        guard access(standardized, R_OK | X_OK) == 0 else {
            return .failure(.init("cwd \"\(standardized)\" cannot be read (permission denied)"))
        }
        let hub = URL(fileURLWithPath: hubFolder).standardizedFileURL.path
        guard standardized != hub, !standardized.hasPrefix(hub + "/") else {
            return .failure(.init("cwd \"\(standardized)\" is inside the hub's own sessions folder (\(hub)); choose a project folder"))
        }
        return .success(standardized)
    }

    /// `~` and `~/…` with `HOME`.
    static func expandingHome(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty else { return path }
        return home + path.dropFirst()
    }

    /// The name a tab shows: the folder's last component.
    static func name(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

struct ProjectFolderError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
