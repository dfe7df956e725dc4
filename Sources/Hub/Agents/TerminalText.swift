/// Terminal output as plain text: escape sequences removed, cursor-forward moves turned into the
/// spaces they stand for (TUIs like Claude Code use them between words), whitespace collapsed.
enum TerminalText {
    static func plain(_ raw: String) -> String {
        var output = ""
        var scalars = raw.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\u{1B}" else {
                if scalar.value >= 0x20 || scalar == "\n" || scalar == "\t" { output.unicodeScalars.append(scalar) }
                else if scalar == "\r" { output += " " }
                continue
            }
            switch scalars.next() {
            case "[":  // CSI: parameters, then one final byte in @...~
                var parameters = ""
                while let next = scalars.next() {
                    if (0x40...0x7E).contains(next.value) {
                        if next == "C" { output += String(repeating: " ", count: min(200, max(1, Int(parameters) ?? 1))) }
                        break
                    }
                    parameters.unicodeScalars.append(next)
                }
            case "]":  // OSC: up to BEL or ESC \ (whose backslash is consumed too)
                while let next = scalars.next() {
                    if next == "\u{07}" { break }
                    if next == "\u{1B}" { _ = scalars.next(); break }
                }
            case "(", ")", "*", "+":  // character set selection: one more byte (ESC ( B)
                _ = scalars.next()
            default:
                break
            }
        }
        return output
    }

    /// Collapses all whitespace runs into one space, so matches survive line wrapping and padding.
    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
