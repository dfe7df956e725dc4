import Foundation

/// What is read out of an agent's reply at the end of its turn (`speak_replies`): all of it, or
/// in brief — the first paragraph, at most a few sentences, code and diffs left out, and a word
/// that there is more when it was cut.
enum ReplyText {
    static let briefSentences = 3
    static let more = "And more in the transcript."

    static func brief(_ reply: String) -> String {
        var paragraphs: [String] = []
        var current: [String] = []
        var inFence = false
        var cut = false
        func flush() {
            if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
            current = []
        }
        for rawLine in reply.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") || line.hasPrefix("~~~") {
                inFence.toggle()
                cut = true
                flush()
                continue
            }
            if inFence { continue }
            if isCode(rawLine) {
                cut = true
                continue
            }
            if line.isEmpty { flush() } else { current.append(line) }
        }
        flush()
        guard let first = paragraphs.first else { return "The reply is in the transcript." }
        if paragraphs.count > 1 { cut = true }
        var sentences = SentenceSplitter.sentences(in: first)
        if sentences.count > briefSentences {
            sentences = Array(sentences.prefix(briefSentences))
            cut = true
        }
        let said = sentences.joined(separator: " ")
        return cut ? said + " " + more : said
    }

    /// An indented code line or a line of a diff.
    private static func isCode(_ line: Substring) -> Bool {
        line.hasPrefix("    ") || line.hasPrefix("\t") || line.hasPrefix("diff --git") || line.hasPrefix("@@ ")
            || line.hasPrefix("+++ ") || line.hasPrefix("--- ")
    }
}
