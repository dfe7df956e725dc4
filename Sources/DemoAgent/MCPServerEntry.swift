import Foundation
import WireJSON

/// The first server of an `.mcp.json` (`{"mcpServers": {name: {command, args, env}}}`).
struct MCPServerEntry: Sendable {
    let name: String
    let command: String
    let arguments: [String]
    let environment: [String: String]

    static func load(from path: String) throws -> MCPServerEntry {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DemoAgentError.badConfig("cannot read \(path)")
        }
        guard let json = JSONValue.decode(bytes: data),
              case .object(let servers)? = json["mcpServers"],
              let (name, entry) = servers.sorted(by: { $0.key < $1.key }).first,
              let command = entry["command"]?.stringValue
        else { throw DemoAgentError.badConfig("expected mcpServers with a command") }
        var arguments: [String] = []
        if case .array(let items)? = entry["args"] { arguments = items.compactMap(\.stringValue) }
        var environment: [String: String] = [:]
        if case .object(let values)? = entry["env"] { environment = values.compactMapValues(\.stringValue) }
        return MCPServerEntry(name: name, command: command, arguments: arguments, environment: environment)
    }
}
