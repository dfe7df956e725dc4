import PluginAPI
import PluginRuntime

/// Session ids in the original's form, `voice-<n>-<6 hex>`; only such ids are ever looked up,
/// so an id from a URL can name a directory or a tmux session without escaping.
enum SessionIdentifier {
    static func make(number: Int) -> String {
        "voice-\(number)-\(RandomToken.hex(bytes: 3))"
    }

    /// The `<n>` of a well-formed id.
    static func number(of id: String) -> Int? {
        guard isWellFormed(id) else { return nil }
        return Int(id.split(separator: "-")[1])
    }

    static func isWellFormed(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        return id.count <= 64 && parts.count == 3 && parts[0] == "voice"
            && !parts[1].isEmpty && parts[1].allSatisfy(\.isASCII) && parts[1].allSatisfy(\.isNumber)
            && parts[2].count == 6 && parts[2].allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}

/// Labels are shown in tabs and logs: printable, short.
enum SessionLabel {
    static func validated(_ label: String) throws(SessionError) -> String {
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 64 else { throw .invalidLabel("at most 64 characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidLabel("control characters are not allowed")
        }
        return trimmed
    }
}
