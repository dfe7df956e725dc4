#if canImport(Glibc)
import Glibc
#endif

/// Resolves an argv[0] the way `execvp` would, so a missing agent command is reported before
/// anything is started (and so no shell is ever needed to find it).
public enum ExecutableLookup {
    public static func resolve(_ command: String, searchPath: String?, workingDirectory: String) -> String? {
        if command.contains("/") {
            let path = command.hasPrefix("/") ? command : "\(workingDirectory)/\(command)"
            return isExecutableFile(path) ? path : nil
        }
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories where !directory.isEmpty {
            let candidate = "\(directory)/\(command)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
