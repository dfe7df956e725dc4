/// Watches terminal text for configured prompts and says what to type, each at most once.
struct PromptResponder: Sendable {
    private var pending: [PromptAnswer]
    private var window = ""
    /// Enough for a full tmux screen (200×50) plus the chunk boundaries of a raw PTY stream.
    private let windowLimit = 32_768

    init(prompts: [PromptAnswer]) {
        pending = prompts
    }

    var isFinished: Bool { pending.isEmpty }

    /// Adds terminal output; returns the answers whose prompt just appeared. The raw text is
    /// kept and cleaned as a whole, so words and escape sequences split across reads still match.
    mutating func feed(_ output: String) -> [PromptAnswer] {
        window += output
        if window.count > windowLimit { window = String(window.suffix(windowLimit)) }
        let screen = TerminalText.normalized(TerminalText.plain(window))
        var answers: [PromptAnswer] = []
        pending.removeAll { prompt in
            guard screen.contains(TerminalText.normalized(prompt.match)) else { return false }
            answers.append(prompt)
            return true
        }
        // Text already answered must not trigger a later prompt with overlapping words.
        if !answers.isEmpty { window = "" }
        return answers
    }
}
