@testable import Hub
import PluginAPI
import Testing

private let trustScreen = """
 Quick safety check: Is this a project you created or one you trust?

 ❯ 1. No, exit
   2. Yes, I trust this folder
      Claude Code will be able to read files here.

 Enter to confirm · Esc to cancel
"""

private let trust = DialogAnswer(match: "Is this a project you created or one you trust", answer: .select("Yes, I trust this folder"))

struct DialogSelectionTests {
    @Test func movesFromTheCursorToTheOptionSkippingDescriptions() {
        #expect(DialogSelection.keys(toSelect: "Yes, I trust this folder", on: trustScreen) == [.down, .enter])
        let below = trustScreen.replacingOccurrences(of: "❯ 1. No", with: "  1. No")
            .replacingOccurrences(of: "  2. Yes", with: "❯ 2. Yes")
        #expect(DialogSelection.keys(toSelect: "Yes, I trust", on: below) == [.enter])
        #expect(DialogSelection.keys(toSelect: "No, exit", on: below) == [.up, .enter])
    }

    @Test func unnumberedOptionsAndCodexMarker() {
        let screen = "Do you trust the contents of this directory?\n\n  Yes, continue\n› No, quit\n\nPress enter to continue"
        #expect(DialogSelection.keys(toSelect: "Yes, continue", on: screen) == [.up, .enter])
    }

    @Test func noOptionOrNoSelectionIsNil() {
        #expect(DialogSelection.keys(toSelect: "Maybe", on: trustScreen) == nil)
        #expect(DialogSelection.keys(toSelect: "Yes, I trust", on: "Yes, I trust this folder\nNo, exit") == nil)
    }
}

struct DialogWatchTests {
    let start = ContinuousClock.now
    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func answersOnlyOnceTheScreenHasSettled() {
        var watch = DialogWatch(dialogs: [trust])
        #expect(watch.handle(.screen(trustScreen, at: at(0))).isEmpty)
        #expect(watch.handle(.tick(at: at(100))).isEmpty, "still drawing: keys now would be dropped")
        #expect(watch.handle(.tick(at: at(300))) == [.press([.down, .enter], dialog: trust.match)])
        #expect(watch.handle(.tick(at: at(400))).isEmpty)
    }

    @Test func aRedrawRestartsTheSettling() {
        var watch = DialogWatch(dialogs: [trust])
        _ = watch.handle(.screen(trustScreen, at: at(0)))
        _ = watch.handle(.screen(trustScreen + "\n", at: at(250)))
        #expect(watch.handle(.tick(at: at(400))).isEmpty)
        #expect(watch.handle(.tick(at: at(560))).count == 1)
    }

    @Test func aDialogStillThereIsAnsweredAgainThenTheUserIsAsked() {
        var watch = DialogWatch(dialogs: [trust])
        _ = watch.handle(.screen(trustScreen, at: at(0)))
        #expect(watch.handle(.tick(at: at(300))).count == 1)
        #expect(watch.handle(.tick(at: at(1000))).isEmpty, "the answer gets time to work")
        #expect(watch.handle(.tick(at: at(1800))) == [.press([.down, .enter], dialog: trust.match)])
        #expect(watch.handle(.tick(at: at(3300))).count == 1)
        let asked = watch.handle(.tick(at: at(4800)))
        guard case .needsYou(let reason, let screen)? = asked.first else {
            Issue.record("expected needsYou, got \(asked)")
            return
        }
        #expect(reason.contains("after 3 answers"))
        #expect(screen.contains("Quick safety check"))
        #expect(watch.handle(.tick(at: at(9000))).isEmpty, "asked once")
        // The user answers in the terminal: the dialog goes, and so does "needs you".
        #expect(watch.handle(.screen("Welcome to Claude Code\n> ", at: at(9100))) == [.resolved])
        #expect(watch.handle(.tick(at: at(60_000))).count == 1, "a screen that then stalls is asked about again")
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
