#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginAPI
import WireJSON

/// A session's private directory: `{work_root}/{id}`, mode 0700, holding `.mcp.json`
/// (the original's shape plus our secret), the terminal log and the session record; for a
/// session without a project folder, its agent works in `{work_root}/.scratch/{id}`. Nothing of
/// a session is ever written into the user's project folder.
struct SessionWorkspace: AgentFiles {
    let directory: String

    var terminalLogPath: String { directory + "/terminal.log" }
    /// Where an agent without a project folder works: `{work_root}/.scratch/{id}`, empty, and
    /// not inside the session dir: Claude Code looks for a `.mcp.json` in the folder *and above*,
    /// and would ask about the session's own ("New MCP server found in this project").
    var scratchDirectory: String {
        let url = URL(fileURLWithPath: directory)
        return url.deletingLastPathComponent().appendingPathComponent(".scratch").appendingPathComponent(url.lastPathComponent).path
    }

    /// Makes the directory, its scratch folder, `.mcp.json` and (with `hookSettings`) the hook
    /// settings for Claude Code (`configFiles`).
    static func create(root: String, id: String, bridge: BridgeServer, hookSettings permissionTimeout: Duration?) throws -> SessionWorkspace {
        let workspace = try create(root: root, id: id)
        try FileManager.default.createDirectory(atPath: workspace.scratchDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (path, content) in configFiles(bridge: bridge, mcpConfigPath: workspace.mcpConfigPath,
                                           hookSettingsPath: workspace.hookSettingsPath, hookSettings: permissionTimeout) {
            guard FileManager.default.createFile(atPath: path, contents: Data(content.encodedText().utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        return workspace
    }

    /// Only the directory: a session on a host keeps its agent's files there.
    static func create(root: String, id: String) throws -> SessionWorkspace {
        let files = FileManager.default
        try files.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let directory = root + "/" + id
        try files.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return SessionWorkspace(directory: directory)
    }

    /// The agent's `.mcp.json` (whose `voice-hub` entry is `bridge`, exactly as the original
    /// names it) and, when `hookSettings` (how long a permission request waits for the user) is
    /// given, the hook settings for Claude Code: their paths and contents.
    static func configFiles(bridge: BridgeServer, mcpConfigPath: String, hookSettingsPath: String,
                            hookSettings permissionTimeout: Duration?) -> [(path: String, content: JSONValue)] {
        let config: JSONValue = .object([
            "mcpServers": .object([
                "voice-hub": .object([
                    "command": .string(bridge.command),
                    "args": .array(bridge.arguments.map(JSONValue.string)),
                    "env": .object(bridge.environment.mapValues { .string($0) }),
                ]),
            ]),
        ])
        var files: [(path: String, content: JSONValue)] = [(mcpConfigPath, config)]
        if let permissionTimeout {
            files.append((hookSettingsPath, ClaudeHookSettings.json(
                bridge: bridge, mcpConfigPath: mcpConfigPath, permissionTimeout: permissionTimeout)))
        }
        return files
    }

    var recordPath: String { directory + "/session.json" }

    /// What a restarted hub needs to take a live session over.
    struct Record: Codable, Sendable, Equatable {
        var id: String
        var label: String
        var voice: String
        var speed: Double
        var spawner: String
        var secret: String
        var createdAt: Date
        /// The agent profile (absent in records of hubs before profiles: the default one).
        var agent: String?
        var projectDirectory: String?
        /// Prompts held until the agent's turn ends (absent in older records).
        var heldPrompts: [String]?
        /// The host (of the config's `hosts:`) the agent runs on; absent: this machine.
        var host: String?
    }

    /// Written (0600, atomically) at creation and on every change.
    func save(_ record: Record) {
        guard let data = try? JSONEncoder().encode(record) else { return }
        let temporary = recordPath + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        // rename(2): atomic, whether or not the record exists yet.
        if rename(temporary, recordPath) != 0 { unlink(temporary) }
    }

    /// Keeps a recording no engine could transcribe (`recordings/<time>.<ext>`, 0600), so what
    /// the user said is not lost; returns its path.
    func keepRecording(_ audio: Data, format: AudioFormat) -> String? {
        let folder = directory + "/recordings"
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                          attributes: [.posixPermissions: 0o700])) != nil else { return nil }
        let path = "\(folder)/\(Int(Date().timeIntervalSince1970 * 1000)).\(format.fileExtension)"
        return FileManager.default.createFile(atPath: path, contents: audio, attributes: [.posixPermissions: 0o600]) ? path : nil
    }

    func loadRecord() -> Record? {
        guard let data = FileManager.default.contents(atPath: recordPath) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: scratchDirectory)
    }

    /// The last lines the agent printed, for error messages when it dies before connecting.
    func terminalTail(lines: Int = 5) -> String? {
        guard let data = FileManager.default.contents(atPath: terminalLogPath), !data.isEmpty else { return nil }
        let text = TerminalText.plain(String(decoding: data.suffix(4096), as: UTF8.self))
        let tail = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.suffix(lines)
        return tail.isEmpty ? nil : tail.joined(separator: " | ")
    }
}
