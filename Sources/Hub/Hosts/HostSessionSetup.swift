import BridgeProtocol
import Foundation

/// What a session on a host needs before its agent starts there: the bridge installed, the
/// project folder checked on the host, and the agent's files written in the hub's place there.
/// The bridge reaches the hub through the host's forwarded socket, with the session's secret.
struct HostSessionSetup: Sendable {
    let workspace: RemoteWorkspace
    let bridge: BridgeServer
    /// The project folder on the host; nil: the session's scratch folder there.
    let projectDirectory: String?
    var shell: HostConnection { HostConnection(hostName: workspace.hostName, links: workspace.links) }

    static func make(
        host name: String, id: String, secret: String, requestedDirectory: String?, hookSettings permissionTimeout: Duration?,
        links: HostLinks, localBridge: String
    ) async throws(SessionError) -> HostSessionSetup {
        do {
            let place = try await links.place(of: name)
            var projectDirectory: String?
            if let requestedDirectory {
                let folder = place.expanding(requestedDirectory.trimmingCharacters(in: .whitespaces))
                guard folder.hasPrefix("/") else { throw SessionError.invalidDirectory("cwd must be an absolute path on host \(name) (or ~/...): \(requestedDirectory)") }
                guard !folder.hasPrefix(place.base) else { throw SessionError.invalidDirectory("\(folder) is the hub's own folder on host \(name)") }
                guard try await links.run(["test", "-d", folder], on: name).succeeded else {
                    throw SessionError.invalidDirectory("no folder \(folder) on host \(name)")
                }
                projectDirectory = folder
            }
            let command = try await links.bridgeCommand(on: name, localBinary: localBridge)
            let bridge = BridgeServer(command: command, arguments: [], environment: [
                BridgeProtocol.Environment.sessionID: id,
                BridgeProtocol.Environment.token: secret,
                BridgeProtocol.Environment.socket: place.socket,
            ])
            let workspace = RemoteWorkspace(hostName: name, place: place, id: id, links: links)
            try await workspace.create(files: SessionWorkspace.configFiles(
                bridge: bridge, mcpConfigPath: workspace.mcpConfigPath, hookSettingsPath: workspace.hookSettingsPath,
                hookSettings: permissionTimeout))
            return HostSessionSetup(workspace: workspace, bridge: bridge, projectDirectory: projectDirectory)
        } catch let error as SessionError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }
}
