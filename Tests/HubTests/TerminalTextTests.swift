@testable import Hub
import Testing

struct TerminalTextTests {
    @Test func colourCodesAreRemoved() {
        #expect(TerminalText.plain("\u{1B}[1;32mOK\u{1B}[0m done") == "OK done")
    }

    @Test func cursorForwardBecomesSpaces() {
        #expect(TerminalText.plain("a\u{1B}[1Cb") == "a b")
        #expect(TerminalText.plain("a\u{1B}[Cb") == "a b")
        #expect(TerminalText.plain("a\u{1B}[3Cb") == "a   b")
    }

    @Test func otherCursorMovesAddNothing() {
        #expect(TerminalText.plain("a\u{1B}[2Db\u{1B}[?25l\u{1B}[10;1Hc") == "abc")
    }

    @Test func stTerminatedTitleAndCharsetSelectionAreRemoved() {
        #expect(TerminalText.plain("\u{1B}]0;claude\u{1B}\\Ready") == "Ready")
        #expect(TerminalText.plain("Do\u{1B}(B you") == "Do you")
    }

    @Test func belTerminatedTitleIsRemoved() {
        #expect(TerminalText.plain("\u{1B}]0;claude\u{07}Ready") == "Ready")
    }

    @Test func carriageReturnIsASpaceAndOtherControlsAreDropped() {
        #expect(TerminalText.plain("a\rb\u{08}c\u{07}") == "a bc")
        #expect(TerminalText.plain("line\nnext\ttab") == "line\nnext\ttab")
    }

    @Test func normalizedCollapsesWhitespaceRuns() {
        #expect(TerminalText.normalized("  Do\n  you \t trust   ") == "Do you trust")
        #expect(TerminalText.normalized("") == "")
    }

    @Test func promptWrappedOverTwoLinesReadsAsOneLine() {
        let screen = "Do\u{1B}[1Cyou\u{1B}[1Ctrust the\r\n    files in this folder?"
        #expect(TerminalText.normalized(TerminalText.plain(screen)) == "Do you trust the files in this folder?")
    }
}
