import Foundation
import PluginAPI
import Yams

/// Turns YAML text into `ConfigNode`s that remember file, line and key path, expanding
/// environment variables in scalars on the way.
struct YAMLConfigReader {
    let file: String
    let expansion: EnvironmentExpansion

    func read(_ yaml: String) throws -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error)
        }
        let top = ConfigLocation(file: file, line: 1, column: 1, keyPath: "")
        guard let root else { return .emptyMapping(at: top) }
        return try convert(root, at: top)
    }

    private func convert(_ node: Node, at parent: ConfigLocation) throws -> ConfigNode {
        let location = ConfigLocation(
            file: file, line: node.mark?.line ?? parent.line, column: node.mark?.column ?? parent.column,
            keyPath: parent.keyPath)
        switch node {
        case .scalar(let scalar):
            if node.tag == Tag(.null) { return ConfigNode(.null, at: location) }
            do {
                return ConfigNode(.scalar(try expansion.expand(scalar.string)), at: location)
            } catch .unset(let name) {
                throw ConfigError(at: location, "environment variable \(name) is not set (write ${\(name):-default} for a fallback)")
            } catch {
                throw ConfigError(at: location, "unterminated ${ in \"\(scalar.string)\"")
            }
        case .sequence(let sequence):
            let items = try sequence.enumerated().map { index, item in
                try convert(item, at: location.child("\(index)"))
            }
            return ConfigNode(.sequence(items), at: location)
        case .mapping(let mapping):
            var pairs: [(key: String, value: ConfigNode)] = []
            for (key, value) in mapping {
                guard case .scalar(let name) = key else {
                    throw ConfigError(at: location, "mapping keys must be plain strings")
                }
                if pairs.contains(where: { $0.key == name.string }) {
                    throw ConfigError(at: location.child(name.string, line: key.mark?.line, column: key.mark?.column),
                                      "duplicate key")
                }
                let child = location.child(name.string, line: key.mark?.line, column: key.mark?.column)
                pairs.append((name.string, try convert(value, at: child)))
            }
            return ConfigNode(.mapping(pairs), at: location)
        case .alias:
            throw ConfigError(at: location, "YAML aliases are not supported in the config")
        }
    }

    private func syntaxError(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, keyPath: "",
                               message: "invalid YAML: \(problem)")
        default:
            return ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "invalid YAML: \(error)")
        }
    }
}
