import PluginAPI

/// Watches an agent's screen while it starts and decides, as a plain state machine (screens
/// and clock ticks in, actions out), when to answer a terminal dialog, when to answer it again
/// and when to ask the user.
///
/// A dialog is answered only on a settled screen (unchanged for `settle`): Claude Code drops
/// keys that arrive while it is still drawing. If the same dialog is still up `retry` after an
/// answer, it is answered again, up to `maxAnswers` times. A dialog the hub has no answer for,
/// or one its answers did not clear, makes the session "need you", with the screen.
struct DialogWatch: Sendable {
    struct Timing: Sendable {
        var settle: Duration = .milliseconds(250)
        /// For a dialog redrawn after our keys (Claude Code drops keys only right after it first
        /// draws a dialog).
        var settleAfterKeys: Duration = .milliseconds(120)
        var retry: Duration = .milliseconds(1500)
        /// Key presses for one dialog (moving the selection and confirming count one each).
        var maxAnswers = 6
        /// A screen that looks like a question the hub cannot answer, unchanged this long.
        var unknownDialog: Duration = .seconds(3)
        /// Any screen unchanged this long while the agent has not connected.
        var stalled: Duration = .seconds(45)
    }

    enum Event: Sendable, Equatable {
        case screen(String, at: ContinuousClock.Instant)
        case tick(at: ContinuousClock.Instant)
    }

    enum Action: Sendable, Equatable {
        case press([TerminalKey], dialog: String)
        /// The user must look: `reason`, and the screen's last lines.
        case needsYou(reason: String, screen: String)
        /// What needed the user is gone from the screen.
        case resolved
    }

    private let dialogs: [DialogAnswer]
    private let timing: Timing
    /// Each dialog's `match`, and the words a dialog region starts with, normalized once.
    private let matches: [String]
    private let regionStarts: [String]
    private var screen = ""
    /// The part of the screen that must hold still (see `region`).
    private var settling = ""
    /// The known dialog the screen shows, found when the screen changes (ticks reuse it).
    private var shownDialog: DialogAnswer?
    /// Whether the screen has the words of a question or menu (found with `shownDialog`).
    private var showsQuestion = false
    private var changedAt: ContinuousClock.Instant?
    private var lastAnswer: (dialog: String, at: ContinuousClock.Instant, region: String)?
    private var answerCounts: [String: Int] = [:]
    private var needsUser = false

    init(dialogs: [DialogAnswer], timing: Timing = Timing()) {
        self.dialogs = dialogs
        self.timing = timing
        matches = dialogs.map { TerminalText.normalized($0.match).lowercased() }
        regionStarts = matches.map { String($0.prefix(20)) } + Self.questionMarks
    }

    mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .screen(let text, let now):
            guard text != screen || changedAt == nil else { return evaluate(now) }
            screen = text
            let normalized = TerminalText.normalized(text).lowercased()
            shownDialog = knownDialog(on: text, normalized: normalized)
            showsQuestion = Self.questionMarks.contains { normalized.contains($0) }
            let region = region(of: text)
            guard region != settling || changedAt == nil else { return evaluate(now) }
            settling = region
            changedAt = now
            // Someone answered (in the page or the terminal): the screen moved on. Still a
            // question once it settles again, the user is asked again.
            if needsUser {
                needsUser = false
                return [.resolved]
            }
            return []
        case .tick(let now):
            return evaluate(now)
        }
    }

    private mutating func evaluate(_ now: ContinuousClock.Instant) -> [Action] {
        guard let changedAt else { return [] }
        let dialog = shownDialog
        // A dialog our own keys just redrew (the selection moved) settles sooner than a new one.
        let ours = dialog != nil && lastAnswer?.dialog == dialog?.match && lastAnswer.map { $0.at <= changedAt } == true
        guard now - changedAt >= (ours ? timing.settleAfterKeys : timing.settle) else { return [] }
        if let dialog {
            // The screen has not changed since the last keys: give them `retry` to work.
            if let lastAnswer, lastAnswer.dialog == dialog.match, lastAnswer.region == settling, now - lastAnswer.at < timing.retry {
                return []
            }
            guard answerCounts[dialog.match, default: 0] < timing.maxAnswers else {
                return askUser("The agent still shows “\(dialog.match)” after \(timing.maxAnswers) tries to answer it.")
            }
            let keys: [TerminalKey]
            switch dialog.answer {
            case .keys(let configured):
                keys = configured
            case .select(let option):
                // First the selection, then (on a screen that shows it there) Enter.
                let moves = DialogSelection.moves(toSelect: option, on: screen) ?? []
                keys = moves.isEmpty ? [.enter] : moves
            }
            answerCounts[dialog.match, default: 0] += 1
            lastAnswer = (dialog.match, now, settling)
            return [.press(keys, dialog: dialog.match)]
        }
        if showsQuestion, now - changedAt >= timing.unknownDialog {
            return askUser("The agent is asking something the hub has no answer for.")
        }
        if now - changedAt >= timing.stalled {
            return askUser("The agent has shown this screen for \(Int(timing.stalled.components.seconds)) s without connecting to the hub.")
        }
        return []
    }

    private mutating func askUser(_ reason: String) -> [Action] {
        guard !needsUser else { return [] }
        needsUser = true
        return [.needsYou(reason: reason, screen: Self.lastLines(of: screen))]
    }

    /// A dialog answered by choosing an option counts as shown only while that option and a
    /// selection are on screen: its words left above a prompt after it closed are no dialog.
    private func knownDialog(on text: String, normalized: String) -> DialogAnswer? {
        zip(dialogs, matches).first { dialog, match in
            guard normalized.contains(match) else { return false }
            if case .select(let option) = dialog.answer { return DialogSelection.moves(toSelect: option, on: text) != nil }
            return true
        }?.0
    }

    /// From the first line that begins a known dialog or looks like a question, down: an
    /// animation above a dialog (Codex draws its logo on for ever) must not keep it from settling.
    /// The whole screen when there is no such line.
    private func region(of text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.firstIndex(where: { line in
            let normalized = TerminalText.normalized(String(line)).lowercased()
            return regionStarts.contains { normalized.contains($0) }
        }) else { return text }
        return lines[first...].joined(separator: "\n")
    }

    /// Words terminal programs put on questions and menus.
    private static let questionMarks = [
        "enter to confirm", "enter to select", "esc to cancel", "esc to exit", "press enter", "(y/n)", "[y/n]",
        "do you want", "do you trust", "❯ 1.", "› 1.", "select login method", "log in", "sign in", "api key",
    ]

    /// The screen's last non-blank lines (up to `count`), for the user and for error messages.
    static func lastLines(of screen: String, count: Int = 16) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        var end = lines.count
        while end > 0, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
        return lines[max(0, end - count)..<end].joined(separator: "\n")
    }
}
