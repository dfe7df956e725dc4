/// What to read aloud from an agent's message: Markdown is for eyes, not ears. Emphasis marks,
/// headings, list bullets and link targets are dropped, inline code keeps its text, and a fenced
/// code block is read as "code block". The browser still shows the message as written.
enum SpokenText {
    static func from(_ markdown: String) -> String {
        var lines: [String] = []
        var inFence = false
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                if !inFence { lines.append("code block.") }
                inFence.toggle()
                continue
            }
            if inFence { continue }
            lines.append(spokenLine(line))
        }
        return lines.filter { !$0.isEmpty }.joined(separator: " ")
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func spokenLine(_ line: String) -> String {
        var text = Substring(line)
        // Headings, quotes and list bullets.
        while let first = text.first, "#>".contains(first) { text = text.dropFirst() }
        for bullet in ["- ", "* ", "+ "] where text.hasPrefix(bullet) { text = text.dropFirst(2) }
        return removingLinkTargets(String(text))
            .replacingOccurrences(of: "**", with: "")
            .replacingOccurrences(of: "__", with: "")
            .replacingOccurrences(of: "`", with: "")
            .replacingOccurrences(of: "*", with: "")
            .trimmingCharacters(in: .whitespaces)
    }

    /// `[text](url)` → `text`; images `![alt](url)` → `alt`.
    private static func removingLinkTargets(_ line: String) -> String {
        var output = ""
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]"),
                  rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "(",
                  let end = rest[close...].firstIndex(of: ")") else { break }
            var before = rest[..<open]
            if before.hasSuffix("!") { before = before.dropLast() }
            output += before + rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }
}

import Foundation
