import Foundation
import PluginRuntime

/// A random name for this hub, made once and kept in `<state_dir>/hub-id`: what its places on
/// the hosts are called, so they stay the same across restarts (adopted sessions find their
/// socket) and differ between hubs.
enum HubIdentity {
    static func load(stateDirectory: String) -> String {
        let path = stateDirectory + "/hub-id"
        if let data = FileManager.default.contents(atPath: path),
           let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
           isWellFormed(text) {
            return text
        }
        let fresh = RandomToken.hex(bytes: 6)
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: path, contents: Data((fresh + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return fresh
    }

    static func isWellFormed(_ text: String) -> Bool {
        text.count == 12 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
