import Foundation
import WireJSON

/// A session's directory on its host (in the hub's place there): the agent's `.mcp.json` and
/// hook settings, and its scratch folder. The session's record, transcript and recordings stay
/// on the hub's machine.
struct RemoteWorkspace: AgentFiles {
    let hostName: String
    let place: RemotePlace
    let id: String
    let links: HostLinks

    var directory: String { place.sessionDirectory(id) }
    var scratchDirectory: String { place.scratchDirectory(id) }

    /// Writes each file (0600, in a 0700 directory) and makes the scratch folder.
    func create(files: [(path: String, content: JSONValue)]) async throws {
        for file in files {
            let folder = URL(fileURLWithPath: file.path).deletingLastPathComponent().path
            let written = try await links.run(["sh", "-c", RemotePlace.writeScript, "sh", folder, file.path],
                                              on: hostName, input: Data(file.content.encodedText().utf8))
            guard written.succeeded else {
                throw HostLinks.HostError.preparation(host: hostName, "cannot write \(file.path): \(written.complaint)")
            }
        }
        let made = try await links.run(["mkdir", "-p", "-m", "700", "--", scratchDirectory], on: hostName)
        guard made.succeeded else {
            throw HostLinks.HostError.preparation(host: hostName, "cannot make \(scratchDirectory): \(made.complaint)")
        }
    }

    /// Best effort: a host that is down keeps them (they are small, and private).
    func remove() async {
        _ = try? await links.run(["rm", "-rf", "--", directory, scratchDirectory], on: hostName)
    }
}
