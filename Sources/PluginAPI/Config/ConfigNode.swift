/// A YAML value with where it came from, so that every error can name the file, line and key.
///
/// The hub parses YAML once and hands plugins these plain values: plugins never see the YAML
/// library, and a bad option is reported exactly like a bad core setting.
public struct ConfigNode: Sendable {
    public enum Value: Sendable {
        case null
        case scalar(String)
        case sequence([ConfigNode])
        case mapping([(key: String, value: ConfigNode)])
    }

    public let value: Value
    public let location: ConfigLocation

    public init(_ value: Value, at location: ConfigLocation) {
        self.value = value
        self.location = location
    }

    /// A short name of the node's YAML kind, for "expected X, found Y" messages.
    public var kindDescription: String {
        switch value {
        case .null: "nothing"
        case .scalar(let text): "\"\(text)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// File, line and key path of a config value.
public struct ConfigLocation: Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    /// Dotted key path from the document root, e.g. `backends.kokoro.url`.
    public let keyPath: String

    public init(file: String, line: Int, column: Int, keyPath: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }

    public func child(_ key: String, line: Int? = nil, column: Int? = nil) -> ConfigLocation {
        ConfigLocation(
            file: file, line: line ?? self.line, column: column ?? self.column,
            keyPath: keyPath.isEmpty ? key : "\(keyPath).\(key)")
    }

    public var description: String { "\(file):\(line):\(column)" }
}
