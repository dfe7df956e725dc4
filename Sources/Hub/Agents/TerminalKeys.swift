import PluginAPI
import WireJSON

/// Keys the page sends for a terminal dialog: a short list of key names or single characters.
enum TerminalKeys {
    static let limit = 32

    static func parse(_ value: JSONValue?) throws(SessionError) -> [TerminalKey] {
        let example = "expected {\"keys\": [\"Down\", \"Enter\"]} (keys: \(TerminalKey.names.joined(separator: ", ")), or one character)"
        guard let items = value?.arrayValue, !items.isEmpty, items.count <= limit else { throw .invalidKeys(example) }
        var keys: [TerminalKey] = []
        for item in items {
            guard let name = item.stringValue, let key = TerminalKey(name: name) else {
                throw .invalidKeys("unknown key \(item.encodedText()); " + example)
            }
            keys.append(key)
        }
        return keys
    }
}
