import Foundation

/// Cuts a message into pieces a non-streaming engine can speak one after another: the first piece
/// is a single short sentence (so the first audio comes quickly, however long the message), the
/// rest are sentences grouped up to a size that keeps the number of engine calls small.
public enum SentenceSplitter {
    /// Words that end with a period without ending a sentence.
    private static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "fig", "no", "approx", "inc", "ltd",
    ]

    /// Longest group of later sentences sent in one request.
    public static let groupLimit = 400

    public static func split(_ text: String, firstLimit: Int = 160, groupLimit: Int = SentenceSplitter.groupLimit) -> [String] {
        let sentences = sentences(in: text).flatMap { cut($0, limit: groupLimit) }
        guard let first = sentences.first else { return [] }
        var pieces = cut(first, limit: firstLimit)
        var group = ""
        for sentence in sentences.dropFirst() {
            if !group.isEmpty, group.count + 1 + sentence.count > groupLimit {
                pieces.append(group)
                group = ""
            }
            group = group.isEmpty ? sentence : group + " " + sentence
        }
        if !group.isEmpty { pieces.append(group) }
        return pieces
    }

    /// Sentences end at `.`, `!`, `?` or `…` (with closing quotes or brackets) before whitespace,
    /// and at blank lines; periods in numbers and known abbreviations do not end them.
    static func sentences(in text: String) -> [String] {
        var result: [String] = []
        var current = ""
        let characters = Array(text)
        var index = 0
        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { result.append(trimmed.replacingOccurrences(of: "\n", with: " ")) }
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            current.append(character)
            index += 1
            if character == "\n", index < characters.count, characters[index] == "\n" {
                flush()
                continue
            }
            guard ".!?…".contains(character) else { continue }
            // Take closing quotes, brackets and repeated marks along ("Really?!", "(yes.)").
            while index < characters.count, ".!?…\"')]”’".contains(characters[index]) {
                current.append(characters[index])
                index += 1
            }
            guard index >= characters.count || characters[index].isWhitespace else { continue }
            if character == "." && endsWithAbbreviation(current) { continue }
            flush()
        }
        flush()
        return result
    }

    private static func endsWithAbbreviation(_ text: String) -> Bool {
        let word = text.split(whereSeparator: \.isWhitespace).last.map(String.init) ?? ""
        let bare = word.trimmingCharacters(in: CharacterSet(charactersIn: "(\"'")).lowercased()
        guard bare.hasSuffix(".") else { return false }
        let stem = String(bare.dropLast())
        // Single letters are initials ("J. R. R. Tolkien").
        return abbreviations.contains(stem) || (stem.count == 1 && stem.first?.isLetter == true)
    }

    /// A sentence longer than `limit` is cut at the last comma, semicolon or colon, else the last
    /// space, before the limit.
    static func cut(_ sentence: String, limit: Int) -> [String] {
        var rest = Substring(sentence)
        var pieces: [String] = []
        while rest.count > limit {
            let window = rest.prefix(limit)
            let breakAt = window.lastIndex(where: { ",;:".contains($0) }).map { rest.index(after: $0) }
                ?? window.lastIndex(where: \.isWhitespace)
                ?? window.endIndex
            let piece = rest[..<breakAt].trimmingCharacters(in: .whitespaces)
            if !piece.isEmpty { pieces.append(piece) }
            rest = rest[breakAt...].drop(while: \.isWhitespace)
        }
        let last = rest.trimmingCharacters(in: .whitespaces)
        if !last.isEmpty { pieces.append(last) }
        return pieces
    }
}
