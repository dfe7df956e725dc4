import Foundation
import PluginAPI
#if canImport(Glibc)
import Glibc
import PluginRuntime
#endif

/// The hub's access token: `CLAWMUX_TOKEN`, else the config's `server.token`, else the one
/// generated on first start and kept (mode 0600) in the state dir, so the URL stays the same.
enum AccessToken {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func resolve(settings: ServerSettings, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let token = environment["CLAWMUX_TOKEN"], !token.isEmpty { return token }
        if let token = settings.token { return token }
        return try stored(in: settings.stateDirectory)
    }

    static func stored(in stateDirectory: String) throws -> String {
        let path = stateDirectory + "/token"
        if let data = FileManager.default.contents(atPath: path) {
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if token.count >= 16 { return token }
        }
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create the state dir \(stateDirectory): \(error.localizedDescription)")
        }
        let token = RandomToken.hex(bytes: 24)
        // Created 0600 from the start (no window in which others could read it), then renamed into place.
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array((token + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return token
    }
}
