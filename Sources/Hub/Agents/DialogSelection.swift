import PluginAPI

/// The keys that move a terminal menu's selection to the option showing some text, then
/// confirm it: read off the screen, since the cursor may start on any option ("No, exit" in
/// Claude Code's trust dialog) and options need not be numbered.
enum DialogSelection {
    /// Characters TUIs put before the selected option.
    static let cursorMarkers: Set<Character> = ["❯", "›", ">", "▶", "→", "●"]

    /// nil when the option or the selection cannot be found on `screen`.
    static func keys(toSelect option: String, on screen: String) -> [TerminalKey]? {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let wanted = TerminalText.normalized(option).lowercased()
        guard let target = lines.firstIndex(where: { TerminalText.normalized($0).lowercased().contains(wanted) }),
              let column = itemColumn(lines[target]) else { return nil }
        guard let cursor = lines.indices.first(where: { isSelected(lines[$0]) && itemColumn(lines[$0]) == column }) else {
            return nil
        }
        // Options are the lines that start at the same column (descriptions are indented deeper).
        let isOption = { (index: Int) in !lines[index].trimmingCharacters(in: .whitespaces).isEmpty && itemColumn(lines[index]) == column }
        if target == cursor { return [.enter] }
        let between = target > cursor ? (cursor + 1)...target : target...(cursor - 1)
        let moves = between.filter(isOption).count
        return Array(repeating: target > cursor ? .down : .up, count: moves) + [.enter]
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
