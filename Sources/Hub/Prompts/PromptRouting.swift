import Foundation

/// A spoken prompt that starts with an agent's name goes to that agent: "Adam, run the tests"
/// said anywhere reaches Adam as "run the tests". The name must be followed by a comma, colon,
/// period or exclamation mark (as the STT writes a name said on its own), so "Echo the output"
/// is not taken for a session named Echo.
enum PromptRouting {
    static func route(_ text: String, labels: [(id: String, label: String)], default id: String) -> (id: String, text: String) {
        var words = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        for greeting in ["hey ", "ok ", "okay "] where words.lowercased().hasPrefix(greeting) {
            words = words.dropFirst(greeting.count)
        }
        // The longest label first: "Sky Two" before "Sky".
        for (target, label) in labels.sorted(by: { $0.label.count > $1.label.count }) where !label.isEmpty {
            guard words.count > label.count, words.prefix(label.count).lowercased() == label.lowercased() else { continue }
            let rest = words.dropFirst(label.count)
            guard let mark = rest.first, ",:.!".contains(mark) else { continue }
            let stripped = rest.dropFirst().trimmingCharacters(in: .whitespaces)
            guard !stripped.isEmpty else { continue }
            return (target, capitalized(stripped))
        }
        return (id, text)
    }

    private static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}

/// A spoken end word ("over") closes a recording; it is not part of what the user said.
enum EndWord {
    /// Whether `text` ends with the whole word (punctuation after it aside).
    static func ends(_ text: String, with word: String) -> Bool {
        strip(text, word: word) != text
    }

    static func strip(_ text: String, word: String?) -> String {
        guard let word, !word.isEmpty else { return text }
        var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let closing = CharacterSet.punctuationCharacters.union(.whitespaces)
        trimmed = String(trimmed.unicodeScalars.reversed().drop { closing.contains($0) }.reversed().map(Character.init))
        guard trimmed.lowercased().hasSuffix(word.lowercased()) else { return text }
        let before = trimmed.dropLast(word.count)
        // A whole word only: "takeover" keeps its "over".
        guard before.isEmpty || before.last.map({ !$0.isLetter }) == true else { return text }
        // "Run the tests, over." → "Run the tests"; "Run the tests. Over." → "Run the tests."
        return before.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ",;:-")))
    }
}
