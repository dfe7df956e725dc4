@testable import Hub
import Testing

private let trust = PromptAnswer(match: "Do you trust the files in this folder?", answer: "", pressEnter: true)
private let accept = PromptAnswer(match: "Yes, I accept", answer: "2", pressEnter: true)

struct PromptResponderTests {
    @Test func promptSplitAcrossChunksWithEscapesIsAnsweredOnce() {
        var responder = PromptResponder(prompts: [trust])
        // Bold cyan, words separated by cursor-forward moves, as a TUI draws them.
        let first = responder.feed("\u{1B}[1m\u{1B}[36mDo\u{1B}[1Cyou\u{1B}[1Ctrust\u{1B}[0m")
        #expect(first.isEmpty)
        let second = responder.feed("\u{1B}[1Cthe\u{1B}[1Cfiles in this\r\n  folder?\u{1B}[0m")
        #expect(second == [trust])
        #expect(responder.isFinished)
    }

    @Test func promptSplitInsideAWordAndInsideAnEscapeSequenceIsAnswered() {
        var responder = PromptResponder(prompts: [PromptAnswer(match: "Do you trust the files", answer: "", pressEnter: true)])
        #expect(responder.feed("Do you tru").isEmpty)
        #expect(responder.feed("st the\u{1B}[").isEmpty)
        #expect(responder.feed("1Cfiles?").map(\.match) == ["Do you trust the files"])
    }

    @Test func answeredPromptIsNotAnsweredAgainWhenRedrawn() {
        var responder = PromptResponder(prompts: [trust])
        let first = responder.feed("Do you trust the files in this folder?")
        let redraw = responder.feed("Do you trust the files in this folder?")
        #expect(first == [trust])
        #expect(redraw.isEmpty)
    }

    @Test func twoPromptsAreAnsweredInTheOrderTheyAppear() {
        var responder = PromptResponder(prompts: [trust, accept])
        let screen1 = responder.feed("Do you trust the files in this folder?")
        #expect(screen1 == [trust])
        #expect(!responder.isFinished)
        let screen2 = responder.feed("1. No, exit   2. Yes, I accept")
        #expect(screen2 == [accept])
        #expect(responder.isFinished)
    }

    @Test func laterConfiguredPromptMayAppearFirst() {
        var responder = PromptResponder(prompts: [trust, accept])
        let screen1 = responder.feed("2. Yes, I accept")
        let screen2 = responder.feed("Do you trust the files in this folder?")
        #expect(screen1 == [accept])
        #expect(screen2 == [trust])
    }

    @Test func textAlreadyAnsweredDoesNotTriggerALaterPrompt() {
        let folder = PromptAnswer(match: "trust this folder?", answer: "", pressEnter: true)
        let overlapping = PromptAnswer(match: "folder? Yes", answer: "y", pressEnter: false)
        var responder = PromptResponder(prompts: [folder, overlapping])

        let first = responder.feed("Do you trust this folder?")
        #expect(first == [folder])
        // "folder?" was part of the answered prompt: with "Yes" it must not match the second one.
        let second = responder.feed("Yes, continuing")
        #expect(second.isEmpty)
        // The second prompt still works when its text appears on its own.
        let third = responder.feed("Really? folder? Yes")
        #expect(third == [overlapping])
    }

    @Test func unrelatedOutputAnswersNothing() {
        var responder = PromptResponder(prompts: [trust])
        let answers = responder.feed("Welcome to Claude Code! Do you trust me?")
        #expect(answers.isEmpty)
        #expect(!responder.isFinished)
    }

    @Test func responderWithoutPromptsIsFinished() {
        #expect(PromptResponder(prompts: []).isFinished)
    }
}
