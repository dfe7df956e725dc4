/// Speech recognition is not exact: compare transcripts by the share of expected words heard.
enum Fuzzy {
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// Share (0...1) of `expected`'s words that occur in `heard`.
    static func overlap(expected: String, heard: String) -> Double {
        let want = words(expected)
        let got = Set(words(heard))
        guard !want.isEmpty else { return 0 }
        return Double(want.filter(got.contains).count) / Double(want.count)
    }
}
