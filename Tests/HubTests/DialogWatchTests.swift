@testable import Hub
import PluginAPI
import Testing

/// Claude Code 2.1.332's screens as tmux captures them (120 columns), trimmed.
private let claudeTrust = """
────────────────────────────────────────────────────────────────────────
 Accessing workspace:

 /tmp/cc/proj-a

 Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source
 project, or work from your team). If not, take a moment to review what's in this folder first.

 Claude Code'll be able to read, edit, and execute files here.

 Security guide

 ❯ No, exit
   Yes, I trust this folder

 Enter to confirm · Esc to cancel
"""

private let claudeAPIKey = """
  Detected a custom API key in your environment

  ANTHROPIC_API_KEY: sk-ant-...abcdefghijKLMNOPQRST

  Do you want to use this API key?

    Yes
  ❯ No (recommended)

  Enter to confirm · Esc to cancel
"""

private let codexTrust = """
> You are in /tmp/codex-explore/r20/proj

  Do you trust the contents of this directory? Working with untrusted contents comes with higher risk of prompt
  injection. Trusting the directory allows project-local config, hooks, and exec policies to load.

› 1. Yes, continue
  2. No, quit

  Press enter to continue
"""

private let trust = AgentProfile.claude.dialogs[0]

struct DialogSelectionTests {
    @Test func claudeDialogsAreReadOffTheirScreens() {
        #expect(DialogSelection.moves(toSelect: "Yes, I trust this folder", on: claudeTrust) == [.down])
        #expect(DialogSelection.moves(toSelect: "Yes", on: claudeAPIKey) == [.up], "the option 'Yes', not a line with 'yes' in it")
        let moved = claudeTrust.replacingOccurrences(of: "❯ No, exit", with: "  No, exit")
            .replacingOccurrences(of: "  Yes, I trust", with: "❯ Yes, I trust")
        #expect(DialogSelection.moves(toSelect: "Yes, I trust this folder", on: moved) == [])
        #expect(DialogSelection.moves(toSelect: "No, exit", on: moved) == [.up])
    }

    @Test func numberedOptionsAndCodexMarker() {
        #expect(DialogSelection.moves(toSelect: "Yes, continue", on: codexTrust) == [])
        #expect(DialogSelection.moves(toSelect: "No, quit", on: codexTrust) == [.down])
    }

    @Test func descriptionsBetweenOptionsAreNotCounted() {
        let screen = "❯ 1. Allow\n     runs the tool once\n  2. Allow for this session\n     no more questions\n  3. Cancel"
        #expect(DialogSelection.moves(toSelect: "Cancel", on: screen) == [.down, .down])
    }

    @Test func noOptionOrNoSelectionIsNil() {
        #expect(DialogSelection.moves(toSelect: "Maybe", on: claudeTrust) == nil)
        #expect(DialogSelection.moves(toSelect: "Yes, I trust", on: "Yes, I trust this folder\nNo, exit") == nil)
    }
}

struct DialogWatchTests {
    let start = ContinuousClock.now
    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }
    private let selected = claudeTrust.replacingOccurrences(of: "❯ No, exit", with: "  No, exit")
        .replacingOccurrences(of: "  Yes, I trust", with: "❯ Yes, I trust")

    @Test("the selection is moved on a settled screen, and Enter pressed only once the screen shows it on the option")
    func movesThenConfirms() {
        var watch = DialogWatch(dialogs: [trust])
        #expect(watch.handle(.screen(claudeTrust, at: at(0))).isEmpty)
        #expect(watch.handle(.tick(at: at(100))).isEmpty, "still drawing: keys now would be dropped")
        #expect(watch.handle(.tick(at: at(300))) == [.press([.down], dialog: trust.match)])
        #expect(watch.handle(.tick(at: at(400))).isEmpty)
        _ = watch.handle(.screen(selected, at: at(450)))
        #expect(watch.handle(.tick(at: at(520))).isEmpty)
        #expect(watch.handle(.tick(at: at(580))) == [.press([.enter], dialog: trust.match)], "our own redraw settles sooner")
    }

    @Test("a dropped key is sent again; a dialog that stays is finally the user's")
    func droppedKeysAreRetriedThenTheUserIsAsked() {
        var watch = DialogWatch(dialogs: [trust])
        _ = watch.handle(.screen(claudeTrust, at: at(0)))
        #expect(watch.handle(.tick(at: at(300))) == [.press([.down], dialog: trust.match)])
        #expect(watch.handle(.tick(at: at(1000))).isEmpty, "the keys get time to work")
        #expect(watch.handle(.tick(at: at(1800))) == [.press([.down], dialog: trust.match)], "the Down was dropped: again, never Enter")
        var time = 1800
        for _ in 0..<4 {
            time += 1500
            #expect(watch.handle(.tick(at: at(time))).count == 1)
        }
        let asked = watch.handle(.tick(at: at(time + 1500)))
        guard case .needsYou(let reason, let screen)? = asked.first else {
            Issue.record("expected needsYou, got \(asked)")
            return
        }
        #expect(reason.contains("after 6 tries"))
        #expect(screen.contains("Quick safety check"))
        #expect(watch.handle(.tick(at: at(time + 9000))).isEmpty, "asked once")
        // The user answers in the terminal: the dialog goes, and so does "needs you".
        #expect(watch.handle(.screen("Welcome to Claude Code\n> ", at: at(time + 9100))) == [.resolved])
        #expect(watch.handle(.tick(at: at(time + 60_000))).count == 1, "a screen that then stalls is asked about again")
    }

    @Test func aRedrawRestartsTheSettling() {
        var watch = DialogWatch(dialogs: [trust])
        _ = watch.handle(.screen(claudeTrust, at: at(0)))
        _ = watch.handle(.screen(claudeTrust + "\n", at: at(250)))
        #expect(watch.handle(.tick(at: at(400))).isEmpty)
        #expect(watch.handle(.tick(at: at(560))).count == 1)
    }

    @Test func oneDialogAfterAnotherIsAnsweredAtOnce() {
        let bypass = AgentProfile.claude.dialogs.first { $0.match.contains("Bypass") }!
        var watch = DialogWatch(dialogs: AgentProfile.claude.dialogs)
        _ = watch.handle(.screen(selected, at: at(0)))
        #expect(watch.handle(.tick(at: at(300))) == [.press([.enter], dialog: trust.match)])
        let warning = "  WARNING: Claude Code running in Bypass Permissions mode\n\n  ❯ No, exit\n    Yes, I accept\n\n  Enter to confirm · Esc to cancel"
        _ = watch.handle(.screen(warning, at: at(400)))
        #expect(watch.handle(.tick(at: at(700))) == [.press([.down], dialog: bypass.match)])
    }

    @Test func anUnknownQuestionNeedsTheUserWithTheScreen() {
        var watch = DialogWatch(dialogs: [trust])
        let login = "Select login method:\n\n ❯ 1. Claude account with subscription\n   2. Anthropic Console account"
        _ = watch.handle(.screen(login, at: at(0)))
        #expect(watch.handle(.tick(at: at(2000))).isEmpty)
        #expect(watch.handle(.tick(at: at(3100))) == [.needsYou(reason: "The agent is asking something the hub has no answer for.", screen: login)])
    }

    @Test func anOrdinaryScreenIsLeftAloneUntilItStalls() {
        var watch = DialogWatch(dialogs: [trust])
        _ = watch.handle(.screen("Starting...", at: at(0)))
        #expect(watch.handle(.tick(at: at(10_000))).isEmpty)
        #expect(watch.handle(.tick(at: at(45_000))).count == 1)
    }

    @Test func dialogWordsLeftAboveAPromptAreNoDialog() {
        var watch = DialogWatch(dialogs: [trust])
        _ = watch.handle(.screen("Quick safety check: Is this a project you created or one you trust?\n> ", at: at(0)))
        #expect(watch.handle(.tick(at: at(1000))).isEmpty)
    }

    @Test func keysAnswersAreSentAsConfigured() {
        let accept = DialogAnswer(match: "Yes, I accept", answer: .keys([.text("2"), .enter]))
        var watch = DialogWatch(dialogs: [accept])
        _ = watch.handle(.screen("1. No, exit\n2. Yes, I accept", at: at(0)))
        #expect(watch.handle(.tick(at: at(300))) == [.press([.text("2"), .enter], dialog: "Yes, I accept")])
    }
}

struct DialogWatchAnimationTests {
    @Test("an animation above the dialog (Codex's logo) does not keep it from settling")
    func animationAboveTheDialog() {
        let start = ContinuousClock.now
        let codex = AgentProfile.codex.dialogs[0]
        var watch = DialogWatch(dialogs: [codex])
        let dialog = "  Do you trust the contents of this directory? Working with untrusted contents\n\n› 1. Yes, continue\n  2. No, quit"
        for frame in 0..<10 {
            let logo = String(repeating: frame.isMultiple(of: 2) ? "_+*" : "*+_", count: 8)
            let actions = watch.handle(.screen(logo + "\n\n" + dialog, at: start + .milliseconds(100 * frame)))
            if frame < 3 { #expect(actions.isEmpty) }
            if frame == 3 { #expect(actions == [.press([.enter], dialog: codex.match)]) }
            if frame > 3 { #expect(actions.isEmpty, "a new logo frame is no sign the answer failed") }
        }
    }
}
