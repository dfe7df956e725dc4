import Foundation

/// The `clawmux-mcp` that agents on a host start: the one the host's config entry names
/// (`bridge:`), or the hub's own, copied into the hub's place there under a name that says
/// which build it is (copied once per build). Either way it is run once (`--version`) before
/// the first session: one that cannot run there is reported now, not as an agent that never
/// connects.
enum RemoteBridge {
    enum Problem: Error, CustomStringConvertible {
        case missingLocal(String)
        case failed(host: String, String)

        var description: String {
            switch self {
            case .missingLocal(let path): "cannot copy the MCP bridge to a host: \(path) is not there (build the clawmux-mcp product)"
            case .failed(let host, let detail): "host \(host): \(detail)"
            }
        }
    }

    /// The bridge next to the hub's binary, which sessions on this machine use too.
    static func localBinary(nextTo clawmux: String) -> String {
        URL(fileURLWithPath: clawmux).deletingLastPathComponent().appendingPathComponent("clawmux-mcp").path
    }

    /// FNV-1a over the file, read a MiB at a time (the binary is tens of MB): which build it is,
    /// so a rebuilt bridge is copied again.
    static func fingerprint(of path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let chunk = try? file.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { bytes in
                for byte in bytes {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x0000_0100_0000_01b3
                }
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The path of a bridge that runs on the host.
    static func install(on host: SSHHost, place: RemotePlace, localBinary: String, links: HostLinks) async throws -> String {
        let path: String
        if let configured = host.bridge {
            path = configured
        } else {
            guard FileManager.default.isReadableFile(atPath: localBinary), let fingerprint = fingerprint(of: localBinary) else {
                throw Problem.missingLocal(localBinary)
            }
            path = place.bridgeDirectory() + "/clawmux-mcp-" + fingerprint
            let present = try await links.run(["test", "-x", path], on: host.name)
            if !present.succeeded {
                let copied = try await links.run(["sh", "-c", RemotePlace.installScript, "sh", place.bridgeDirectory(), path],
                                                 on: host.name, inputFile: localBinary, timeout: .seconds(300))
                guard copied.succeeded else {
                    throw Problem.failed(host: host.name, "cannot copy clawmux-mcp there: \(copied.complaint)")
                }
            }
        }
        let tried = try await links.run([path, "--version"], on: host.name)
        guard tried.succeeded else {
            let said = (tried.standardError + tried.standardOutput).trimmingCharacters(in: .whitespacesAndNewlines)
            let hint = host.bridge == nil
                ? "set hosts.\(host.name).bridge to a clawmux-mcp built for that host (swift build -c release --static-swift-stdlib --product clawmux-mcp)"
                : "check hosts.\(host.name).bridge"
            throw Problem.failed(host: host.name, "the MCP bridge \(path) does not run there (\(said.isEmpty ? "no output" : said)); \(hint)")
        }
        return path
    }
}
