@testable import Plugins
import Foundation
import Testing

struct TerminalScreenTests {
    private func render(_ output: String, columns: Int = 40, rows: Int = 6) -> String {
        var screen = TerminalScreen(columns: columns, rows: rows)
        screen.feed(output)
        return screen.text
    }

    @Test("words placed with cursor-position codes keep their gaps (how Codex draws)")
    func cursorPositionedWords() {
        let output = "\u{1B}[2;3HDo\u{1B}[2;6Hyou\u{1B}[2;10Htrust\u{1B}[2;16Hthe\u{1B}[3;1H\u{1B}[1m› 1.\u{1B}[0m Yes"
        #expect(render(output) == "\n  Do you trust the\n› 1. Yes")
    }

    @Test func cursorMovesAndErases() {
        #expect(render("hello world\r\u{1B}[6Cthere") == "hello there")
        #expect(render("abcdef\u{1B}[3D\u{1B}[K") == "abc")
        #expect(render("abcdef\u{1B}[1;3H\u{1B}[1K") == "   def")
        #expect(render("one\r\ntwo\u{1B}[2J") == "")
        #expect(render("abcdef\u{1B}[1;2H\u{1B}[2P") == "adef")
        #expect(render("abcdef\u{1B}[1;2H\u{1B}[2@") == "a  bcdef")
        #expect(render("abcdef\u{1B}[1;2H\u{1B}[3X") == "a   ef")
    }

    @Test func lineFeedAtTheBottomScrolls() {
        #expect(render("1\r\n2\r\n3\r\n4", rows: 3) == "2\n3\n4")
    }

    @Test func scrollRegionAndInsertedLines() {
        let output = "top\r\nA\r\nB\r\nbottom\u{1B}[2;3r\u{1B}[3;1H\r\nC"
        #expect(render(output, rows: 4) == "top\nB\nC\nbottom")
        #expect(render("a\r\nb\r\nc\u{1B}[2;1H\u{1B}[L", rows: 4) == "a\n\nb\nc")
        #expect(render("a\r\nb\r\nc\u{1B}[1;1H\u{1B}[M", rows: 4) == "b\nc")
    }

    @Test func wrapsAtTheRightEdge() {
        #expect(render("abcdefgh", columns: 5) == "abcde\nfgh")
        #expect(render("abcde\r\nx", columns: 5) == "abcde\nx", "a line exactly as wide as the screen does not wrap twice")
    }

    @Test func alternateScreenComesAndGoes() {
        let output = "shell$ \u{1B}[?1049h\u{1B}[H\u{1B}[2Jfull screen"
        #expect(render(output) == "full screen")
        #expect(render(output + "\u{1B}[?1049l") == "shell$")
    }

    @Test func wideCharactersAndCombiningMarks() {
        #expect(render("日本x") == "日本x")
        #expect(render("e\u{301}x") == "e\u{301}x")
        #expect(render("ab\u{1B}[1;1H日") == "日")
    }

    @Test func titlesColoursAndQueriesAddNoText() {
        #expect(render("\u{1B}]0;title\u{07}\u{1B}[38;5;208mhi\u{1B}[0m\u{1B}[6n\u{1B}[>4;2m\u{1B}[?2004h\u{1B}(B") == "hi")
    }

    @Test func applicationCursorModeIsTracked() {
        var screen = TerminalScreen(columns: 10, rows: 2)
        screen.feed("\u{1B}[?1h")
        #expect(screen.applicationCursorKeys)
        screen.feed("\u{1B}[?1l")
        #expect(!screen.applicationCursorKeys)
    }

    @Test("Codex 0.147's folder-trust dialog, as its raw pty output: readable, with its options")
    func codexTrustDialog() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/codex-0.147-trust-dialog.bin")
        var screen = TerminalScreen(columns: 120, rows: 40)
        screen.feed(String(decoding: try Data(contentsOf: fixture), as: UTF8.self))
        let lines = screen.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("Do you trust the contents of this directory? Working with untrusted contents") })
        #expect(lines.contains("› 1. Yes, continue"))
        #expect(lines.contains("2. No, quit"))
        #expect(lines.contains("Press enter to continue"))
    }
}

struct ClaudeCodeScreenTests {
    @Test("Claude Code 2.1.332's trust dialog, drawn, then redrawn after Down: the selection moves (its kitty keyboard query is no cursor restore)")
    func trustDialogSelectionMoves() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/claude-2.1.332-trust-dialog-down.bin")
        let bytes = try Data(contentsOf: fixture)
        var screen = TerminalScreen(columns: 120, rows: 40)
        screen.feed(String(decoding: bytes.prefix(1298), as: UTF8.self))
        #expect(screen.text.contains(" ❯ No, exit\n   Yes, I trust this folder"), "\(screen.text)")
        screen.feed(String(decoding: bytes.dropFirst(1298), as: UTF8.self))
        #expect(screen.text.contains("   No, exit\n ❯ Yes, I trust this folder"), "\(screen.text)")
        #expect(screen.text.contains("Quick safety check: Is this a project you created or one you trust?"))
    }
}

struct TerminalScreenHostileOutputTests {
    private func render(_ output: String) -> String {
        var screen = TerminalScreen(columns: 20, rows: 4)
        screen.feed(output)
        return screen.text
    }

    @Test("huge counts and positions are clamped, never overflow")
    func hugeNumbers() {
        #expect(render("a\u{1B}[9223372036854775807B\u{1B}[99999999999999999999Cz\u{1B}[9223372036854775807;9223372036854775807Hy").hasSuffix("y"))
        #expect(render("ab\u{1B}[9223372036854775807P\u{1B}[9223372036854775807@\u{1B}[9223372036854775807X\u{1B}[9223372036854775807L\u{1B}[9223372036854775807M\u{1B}[9223372036854775807S") == "")
        #expect(render("\u{1B}[-5Ax") == "x")
    }

    @Test("an endless sequence is bounded: the screen goes on")
    func endlessSequences() {
        let junk = String(repeating: "1;", count: 100_000)
        #expect(render("\u{1B}[" + junk + "mok") == "ok")
        #expect(render("\u{1B}]0;" + String(repeating: "x", count: 10_000) + "ok").hasSuffix("ok"))
        #expect(render("\u{1B}[12\u{18}ok") == "ok", "CAN cancels")
        #expect(render("x\u{1B}[\n1Bok") == "x\n\n ok", "a line feed inside a sequence still moves")
    }

    @Test("zero-width characters that join nothing are dropped, not a crash")
    func zeroWidth() {
        #expect(render("a\u{200B}\u{200E}b") == "ab")
        #expect(render("\u{301}x") == "x")
        #expect(render("e" + String(repeating: "\u{301}", count: 50)).unicodeScalars.count <= 8)
    }
}
