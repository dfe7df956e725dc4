/// Reproducible random JSON documents, some valid, some mutated into invalid ones.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    static func document(using generator: inout SeededGenerator) -> String {
        let valid = value(depth: 0, using: &generator)
        guard Int.random(in: 0..<3, using: &generator) == 0, !valid.isEmpty else { return valid }
        // Mutate: drop, insert or replace one character.
        var characters = Array(valid)
        let position = Int.random(in: 0..<characters.count, using: &generator)
        let noise: [Character] = ["{", "}", "[", "]", ",", ":", "\"", "\\", "-", ".", "e", "0", "x", " ", "\u{1}"]
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: characters.remove(at: position)
        case 1: characters.insert(noise.randomElement(using: &generator) ?? "x", at: position)
        default: characters[position] = noise.randomElement(using: &generator) ?? "x"
        }
        return String(characters)
    }

    private static func value(depth: Int, using generator: inout SeededGenerator) -> String {
        let kind = Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &generator)
        switch kind {
        case 0: return "null"
        case 1: return Bool.random(using: &generator) ? "true" : "false"
        case 2: return String(Int.random(in: -1_000_000...1_000_000, using: &generator))
        case 3: return ["0.5", "-2.25e3", "1E-7", "123456.789", "-0.0", "6.02e23"].randomElement(using: &generator) ?? "0"
        case 4, 5: return string(using: &generator)
        case 6:
            let items = (0..<Int.random(in: 0..<4, using: &generator)).map { _ in value(depth: depth + 1, using: &generator) }
            return "[" + items.joined(separator: ",") + "]"
        default:
            // Distinct keys: parsers disagree on duplicates (Foundation keeps the first, browsers the last).
            var keys: [String] = []
            for _ in 0..<Int.random(in: 0..<4, using: &generator) {
                let key = string(using: &generator)
                if !keys.contains(key) { keys.append(key) }
            }
            let members = keys.map { $0 + ":" + value(depth: depth + 1, using: &generator) }
            return "{" + members.joined(separator: ", ") + "}"
        }
    }

    private static func string(using generator: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "é", "中", "😀", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\t", "base64+/="]
        return "\"" + (0..<Int.random(in: 0..<6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined() + "\""
    }
}
