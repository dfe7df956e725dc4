import Foundation

/// The absolute path of the running `clawmux` binary, written into each session's `.mcp.json`
/// so the agent starts the very bridge that matches this hub.
public enum RunningExecutable {
    public static var path: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
