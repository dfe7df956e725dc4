import PluginAPI

/// The keys that move a terminal menu's selection to the option showing some text: read off
/// the screen, since the cursor may start on any option ("No, exit" in
/// Claude Code's trust dialog) and options need not be numbered.
enum DialogSelection {
    /// Characters TUIs put before the selected option.
    static let cursorMarkers: Set<Character> = ["❯", "›", ">", "▶", "→", "●"]

    /// The arrow keys that bring the selection to the option (empty: it is there); nil when
    /// the option or the selection cannot be found on `screen`. Enter is the caller's, once the
    /// screen shows the selection on the option: Claude Code drops keys for a moment after
    /// drawing its trust dialog, and a dropped Down before a taken Enter would answer "No, exit".
    static func moves(toSelect option: String, on screen: String) -> [TerminalKey]? {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let wanted = TerminalText.normalized(option).lowercased()
        let candidates = lines.indices.filter { TerminalText.normalized(lines[$0]).lowercased().contains(wanted) }
        // An option written exactly so beats a line that merely contains the words ("Yes" vs "…yes…").
        guard let target = candidates.first(where: { itemText(lines[$0]) == wanted }) ?? candidates.first,
              let column = itemColumn(lines[target]) else { return nil }
        // The selected line nearest the option: a prompt marker elsewhere (Codex's "> You are
        // in …") is not the menu's.
        guard let cursor = lines.indices.filter({ isSelected(lines[$0]) && itemColumn(lines[$0]) == column })
            .min(by: { abs($0 - target) < abs($1 - target) }) else {
            return nil
        }
        // Options are the lines that start at the same column (descriptions are indented deeper).
        let isOption = { (index: Int) in !lines[index].trimmingCharacters(in: .whitespaces).isEmpty && itemColumn(lines[index]) == column }
        if target == cursor { return [] }
        let between = target > cursor ? (cursor + 1)...target : target...(cursor - 1)
        let count = between.filter(isOption).count
        return Array(repeating: target > cursor ? .down : .up, count: count)
    }

    /// An item's text without its marker, numbering and surrounding blanks, lowercased.
    private static func itemText(_ line: String) -> String {
        guard let column = itemColumn(line) else { return "" }
        var text = TerminalText.normalized(String(line.dropFirst(column))).lowercased()
        if let dot = text.firstIndex(of: "."), text[..<dot].allSatisfy(\.isNumber), !text[..<dot].isEmpty {
            text = String(text[text.index(after: dot)...]).trimmingCharacters(in: .whitespaces)
        }
        return text
    }

    /// A line whose first visible character is a selection marker.
    private static func isSelected(_ line: String) -> Bool {
        guard let first = line.first(where: { $0 != " " }) else { return false }
        return cursorMarkers.contains(first)
    }

    /// Where an item's text starts: after the selection marker, if any, and its spaces.
    private static func itemColumn(_ line: String) -> Int? {
        let characters = Array(line)
        guard var index = characters.firstIndex(where: { $0 != " " }) else { return nil }
        if cursorMarkers.contains(characters[index]) {
            index += 1
            while index < characters.count, characters[index] == " " { index += 1 }
            guard index < characters.count else { return nil }
        }
        return index
    }
}
