import Foundation

extension LaunchSpec {
    /// The engine's executable as it will be started (`{config_dir}` and relative paths resolved).
    var resolvedExecutable: String {
        EngineSupervisor.resolve(argv[0], base: baseDirectory, onlyIfRelativePath: true)
    }

    /// Why the executable cannot be started, or nil when it can: lets `clawmux check` catch a
    /// typo in `launch.argv` while the hub is not running.
    public var executableProblem: String? {
        let executable = resolvedExecutable
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? nil : "\(executable) is not an executable file"
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let found = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(executable)") }
        return found ? nil : "\(executable) is not on the PATH"
    }
}
