import Foundation

/// Text as one Piper input line: Piper reads one utterance per line and skips blank ones;
/// a line without letters or digits, or with control characters, crashes it (or leaves a
/// reader waiting for a file that never comes), so control characters go and such text becomes
/// empty; `[[ ]]` (Piper's raw-phoneme syntax) is broken up so an agent's text is only ever read.
enum PiperText {
    static func line(from text: String) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.map {
            CharacterSet.controlCharacters.contains($0) || $0.properties.generalCategory == .format ? " " : $0
        }))
        let flat = printable.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .replacingOccurrences(of: "[[", with: "[ [").replacingOccurrences(of: "]]", with: "] ]")
        guard flat.unicodeScalars.contains(where: { CharacterSet.alphanumerics.contains($0) }) else { return "" }
        return flat
    }
}
