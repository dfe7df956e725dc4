/// A spoken answer to "Sky wants to run npm test. Allow?", as the STT wrote it: yes or no, or
/// nil when it is neither (or both), so the question is asked again.
enum PermissionAnswer {
    private static let yes: Set<String> = [
        "yes", "yeah", "yep", "yup", "sure", "allow", "allowed", "approve", "approved", "ok", "okay", "proceed", "affirmative",
        "fine", "absolutely", "certainly", "granted",
    ]
    private static let yesPhrases = ["go ahead", "do it", "go for it", "sounds good", "of course", "run it"]
    private static let no: Set<String> = [
        "no", "nope", "nah", "deny", "denied", "don't", "dont", "stop", "cancel", "reject", "never", "negative", "not", "wait",
    ]
    private static let sessionPhrases = ["always", "this session", "for the session", "from now on"]

    static func interpret(_ text: String) -> PermissionDecision? {
        let lowered = text.lowercased().replacingOccurrences(of: "’", with: "'")
        let words = lowered.split { !($0.isLetter || $0 == "'") }.map(String.init)
        let phrase = " " + words.joined(separator: " ") + " "
        let yesWord = words.contains(where: yes.contains)
        let saysNo = words.contains(where: no.contains)
        // "Don't do it": a phrase under a negation is no yes; "no, wait, yes" is both.
        if saysNo { return yesWord ? nil : .deny }
        guard yesWord || yesPhrases.contains(where: { phrase.contains(" \($0) ") }) else { return nil }
        return sessionPhrases.contains { phrase.contains(" \($0) ") } ? .allowSession : .allow
    }

    /// The question said aloud: "Sky wants to run npm test. Allow?" A command full of symbols
    /// is not read out sign by sign: "Sky wants to run a python3 command" (the card shows it all).
    static func question(label: String, tool: String, detail: String?) -> String {
        let name = label.isEmpty ? "The agent" : label
        guard let detail, !detail.isEmpty else { return "\(name) wants to use \(tool). Allow?" }
        switch tool {
        case "Bash" where !sayable(detail):
            let program = detail.split(separator: " ").first.map { String($0.split(separator: "/").last ?? $0) } ?? "shell"
            return "\(name) wants to run \(article(program)) \(program) command. Allow?"
        case "Bash": return "\(name) wants to run \(detail). Allow?"
        case "Edit", "MultiEdit", "NotebookEdit": return "\(name) wants to edit \(detail). Allow?"
        case "Write": return "\(name) wants to write \(detail). Allow?"
        case "Read": return "\(name) wants to read \(detail). Allow?"
        case "WebFetch": return "\(name) wants to fetch \(detail). Allow?"
        case "WebSearch": return "\(name) wants to search the web for \(detail). Allow?"
        default: return "\(name) wants to use \(tool): \(detail). Allow?"
        }
    }

    /// Short, and words a voice reads well: letters, digits, spaces and . _ - /
    static func sayable(_ command: String) -> Bool {
        command.count <= 48 && command.allSatisfy { $0.isLetter || $0.isNumber || " ._-/".contains($0) }
    }

    private static func article(_ word: String) -> String {
        guard let first = word.lowercased().first else { return "a" }
        return "aeio".contains(first) ? "an" : "a"
    }
}
