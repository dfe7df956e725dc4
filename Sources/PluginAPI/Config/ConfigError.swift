/// A config problem, always tied to a place in the file: `config.yaml:12:5: backends.kokoro.url: expected a URL`.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int
    public let column: Int
    public let keyPath: String
    public let message: String

    public init(at location: ConfigLocation, _ message: String) {
        self.file = location.file
        self.line = location.line
        self.column = location.column
        self.keyPath = location.keyPath
        self.message = message
    }

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let key = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(file):\(line):\(column): \(key)\(message)"
    }
}
