/// A small terminal emulator: enough of VT100/xterm (cursor moves, erases, scroll regions,
/// inserted and deleted lines, the alternate screen) to know what a person would see on a
/// pseudo-terminal. Full-screen programs such as Codex place words with cursor-position codes
/// instead of spaces, so the screen must be rendered, not the escape codes stripped.
struct TerminalScreen: Sendable {
    let columns: Int
    let rows: Int
    private var grid: [[Cell]]
    private var row = 0
    private var column = 0
    /// The last column was just written: the next character goes to the next line (xterm's
    /// delayed wrap), a cursor move cancels it.
    private var pendingWrap = false
    private var saved = (row: 0, column: 0)
    private var scrollTop = 0
    private var scrollBottom: Int
    /// The main screen while the alternate one is shown.
    private var mainScreen: (grid: [[Cell]], row: Int, column: Int)?
    /// DECCKM: the program wants arrow keys as `ESC O A` instead of `ESC [ A`.
    private(set) var applicationCursorKeys = false
    /// Mode 2004: the program wants pasted text between `ESC [200~` and `ESC [201~`.
    private(set) var bracketedPaste = false
    private var parser = Parser.ground

    /// Bounds on what untrusted output can make the parser hold.
    static let maxParameterBytes = 64
    static let maxStringLength = 4096
    /// Larger counts and positions mean nothing on any screen; clamping keeps arithmetic safe.
    static let maxNumber = 9999

    private enum Cell: Sendable, Equatable {
        case blank
        case character(Character)
        /// The right half of a double-width character.
        case continuation
    }

    private enum Parser: Sendable {
        case ground
        case escape
        /// One more byte to skip (character set selection: `ESC ( B`).
        case skipOne
        /// `overlong`: more parameter bytes than any real sequence has; the rest is skipped.
        case csi(parameters: String, overlong: Bool)
        /// OSC, DCS, APC, ...: text up to BEL or `ESC \` (`length` so far: bounded).
        case string(escaped: Bool, length: Int)
    }

    init(columns: Int, rows: Int) {
        self.columns = max(1, columns)
        self.rows = max(1, rows)
        grid = Array(repeating: Array(repeating: .blank, count: self.columns), count: self.rows)
        scrollBottom = self.rows - 1
    }

    /// The screen as text: one line per row, trailing blanks and blank rows at the end trimmed.
    var text: String {
        var lines = grid.map { cells -> String in
            var line = ""
            for cell in cells {
                switch cell {
                case .blank: line.append(" ")
                case .character(let character): line.append(character)
                case .continuation: break
                }
            }
            while line.last == " " { line.removeLast() }
            return line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    mutating func feed(_ text: String) {
        for scalar in text.unicodeScalars { feed(scalar) }
    }

    private mutating func feed(_ scalar: Unicode.Scalar) {
        switch parser {
        case .ground:
            ground(scalar)
        case .escape:
            escape(scalar)
        case .skipOne:
            parser = .ground
        case .csi(let parameters, let overlong):
            // As xterm: a final byte ends the sequence, ESC starts another, CAN and SUB cancel
            // it, other controls act as usual meanwhile; anything else is no sequence at all.
            switch scalar.value {
            case 0x40...0x7E:
                parser = .ground
                if !overlong { controlSequence(parameters, final: scalar) }
            case 0x1B: parser = .escape
            case 0x18, 0x1A: parser = .ground
            case 0..<0x20: ground(scalar)
            case 0x20...0x3F:
                let full = parameters.utf8.count >= Self.maxParameterBytes
                parser = .csi(parameters: full ? parameters : parameters + String(scalar), overlong: overlong || full)
            default:
                parser = .ground
                ground(scalar)
            }
        case .string(let escaped, let length):
            // A string nobody ends (or one far too long) must not swallow the screen for good.
            if scalar.value == 0x07 || (escaped && scalar == "\\") || scalar.value == 0x18 || scalar.value == 0x1A
                || length >= Self.maxStringLength {
                parser = .ground
            } else {
                parser = .string(escaped: scalar.value == 0x1B, length: length + 1)
            }
        }
    }

    private mutating func ground(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x1B: parser = .escape
        case 0x0D: column = 0; pendingWrap = false
        case 0x0A, 0x0B, 0x0C: lineFeed()
        case 0x08: column = max(0, column - 1); pendingWrap = false
        case 0x09: column = min(columns - 1, (column / 8 + 1) * 8); pendingWrap = false
        case 0..<0x20, 0x7F: break
        case 0x80..<0xA0: break  // C1 controls: not used by the programs we read
        default: put(scalar)
        }
    }

    private mutating func escape(_ scalar: Unicode.Scalar) {
        parser = .ground
        switch scalar {
        case "[": parser = .csi(parameters: "", overlong: false)
        case "]", "P", "X", "^", "_": parser = .string(escaped: false, length: 0)
        case "(", ")", "*", "+", "-", ".", "/", "#", "%": parser = .skipOne
        case "7": saved = (row, column)
        case "8": moveTo(row: saved.row, column: saved.column)
        case "D": lineFeed()
        case "E": column = 0; lineFeed()
        case "M": reverseIndex()
        case "c": self = TerminalScreen(columns: columns, rows: rows)
        default: break
        }
    }

    // MARK: Characters

    private mutating func put(_ scalar: Unicode.Scalar) {
        // A screen one column wide has no room for a wide character's two halves.
        let width = min(Self.width(of: scalar), columns)
        if width == 0 {
            // A combining mark or joiner belongs to the character before it.
            appendToPrevious(scalar)
            return
        }
        if pendingWrap {
            column = 0
            lineFeed()
        }
        if width == 2 && column == columns - 1 {
            grid[row][column] = .blank
            column = 0
            lineFeed()
        }
        clearHalves(at: column)
        // A no-break space (Codex pads with them) reads as the space it shows.
        grid[row][column] = scalar == "\u{A0}" ? .blank : .character(Character(scalar))
        if width == 2 {
            clearHalves(at: column + 1)
            grid[row][column + 1] = .continuation
        }
        let next = column + width
        if next >= columns {
            column = columns - 1
            pendingWrap = true
        } else {
            column = next
        }
    }

    private mutating func appendToPrevious(_ scalar: Unicode.Scalar) {
        var target = pendingWrap ? column : column - 1
        if target >= 0, grid[row][target] == .continuation { target -= 1 }
        guard target >= 0, case .character(let character) = grid[row][target],
              character.unicodeScalars.count < 8 else { return }
        var text = String(character)
        text.unicodeScalars.append(scalar)
        // A mark that does not join the character (a lone zero-width space) is dropped: one cell, one character.
        guard text.count == 1 else { return }
        grid[row][target] = .character(Character(text))
    }

    /// Overwriting half of a double-width character blanks its other half.
    private mutating func clearHalves(at position: Int) {
        guard position < columns else { return }
        if grid[row][position] == .continuation, position > 0 { grid[row][position - 1] = .blank }
        if position + 1 < columns, grid[row][position + 1] == .continuation { grid[row][position + 1] = .blank }
    }

    /// Columns a character takes: 0 for combining marks, 2 for East Asian wide characters and
    /// emoji, else 1 (a close enough approximation of wcwidth for reading dialogs).
    static func width(of scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F, 0x20D0...0x20FF: return 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default: return 1
        }
    }

    // MARK: Lines

    private mutating func lineFeed() {
        pendingWrap = false
        if row == scrollBottom {
            scrollUp(1)
        } else if row < rows - 1 {
            row += 1
        }
    }

    private mutating func reverseIndex() {
        pendingWrap = false
        if row == scrollTop {
            scrollDown(1)
        } else if row > 0 {
            row -= 1
        }
    }

    private var blankLine: [Cell] { Array(repeating: .blank, count: columns) }

    private mutating func scrollUp(_ count: Int, from top: Int? = nil) {
        let top = top ?? scrollTop
        guard top <= scrollBottom else { return }
        for _ in 0..<min(count, scrollBottom - top + 1) {
            grid.remove(at: top)
            grid.insert(blankLine, at: scrollBottom)
        }
    }

    private mutating func scrollDown(_ count: Int, from top: Int? = nil) {
        let top = top ?? scrollTop
        guard top <= scrollBottom else { return }
        for _ in 0..<min(count, scrollBottom - top + 1) {
            grid.remove(at: scrollBottom)
            grid.insert(blankLine, at: top)
        }
    }

    private mutating func moveTo(row newRow: Int, column newColumn: Int) {
        row = min(max(0, newRow), rows - 1)
        column = min(max(0, newColumn), columns - 1)
        pendingWrap = false
    }

    // MARK: Control sequences

    private mutating func controlSequence(_ parameters: String, final: Unicode.Scalar) {
        let isPrivate = parameters.hasPrefix("?")
        // Other private forms (`CSI > ...`, `CSI = ...`) ask or set things that change no text.
        if let first = parameters.unicodeScalars.first, ["<", "=", ">"].contains(first) { return }
        // Intermediate bytes (`CSI ... SP q`: cursor style) change no text either.
        if parameters.unicodeScalars.contains(where: { (0x20...0x2F).contains($0.value) }) { return }
        let numbers = (isPrivate ? String(parameters.dropFirst()) : parameters)
            .split(separator: ";", omittingEmptySubsequences: false)
            .map { Self.number(String($0.split(separator: ":").first ?? "")) }
        func number(_ index: Int, default fallback: Int) -> Int {
            guard index < numbers.count, let value = numbers[index] else { return fallback }
            return value
        }
        let count = max(1, number(0, default: 1))
        // `CSI ? …` sets or asks for modes; only DECSET/DECRST change what is shown. (`CSI ? u`
        // asks for the kitty keyboard flags: read as "restore cursor", it sent Claude Code's
        // redraws to the top left.)
        if isPrivate {
            if final == "h" || final == "l" {
                for mode in numbers.compactMap({ $0 }) { setMode(mode, on: final == "h") }
            }
            return
        }
        switch final {
        case "A": moveTo(row: row - count, column: column)
        case "B", "e": moveTo(row: row + count, column: column)
        case "C", "a": moveTo(row: row, column: column + count)
        case "D": moveTo(row: row, column: column - count)
        case "E": moveTo(row: row + count, column: 0)
        case "F": moveTo(row: row - count, column: 0)
        case "G", "`": moveTo(row: row, column: count - 1)
        case "d": moveTo(row: count - 1, column: column)
        case "H", "f": moveTo(row: max(1, number(0, default: 1)) - 1, column: max(1, number(1, default: 1)) - 1)
        case "J": eraseDisplay(number(0, default: 0))
        case "K": eraseLine(number(0, default: 0))
        case "X":
            for position in column..<min(columns, column + count) { grid[row][position] = .blank }
        case "P":
            let end = min(count, columns - column)
            grid[row].removeSubrange(column..<(column + end))
            grid[row].append(contentsOf: Array(repeating: .blank, count: end))
        case "@":
            let end = min(count, columns - column)
            grid[row].insert(contentsOf: Array(repeating: .blank, count: end), at: column)
            grid[row].removeLast(end)
        case "L": if (scrollTop...scrollBottom).contains(row) { scrollDown(count, from: row) }
        case "M": if (scrollTop...scrollBottom).contains(row) { scrollUp(count, from: row) }
        case "S": scrollUp(count)
        case "T": scrollDown(count)
        case "r":
            let top = max(1, number(0, default: 1)) - 1
            let bottom = min(rows, max(1, number(1, default: rows))) - 1
            guard top < bottom else { return }
            scrollTop = top
            scrollBottom = bottom
            moveTo(row: 0, column: 0)
        case "s": saved = (row, column)
        case "u": moveTo(row: saved.row, column: saved.column)
        default:
            break  // colours (m), queries (n, c), window operations (t): no text
        }
    }

    /// A decimal parameter, clamped to `maxNumber` (huge values must not overflow `row + count`).
    static func number(_ digits: String) -> Int? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return digits.utf8.count > 4 ? maxNumber : min(Int(digits) ?? maxNumber, maxNumber)
    }

    private mutating func eraseDisplay(_ mode: Int) {
        switch mode {
        case 0:
            eraseLine(0)
            for line in (row + 1)..<rows { grid[line] = blankLine }
        case 1:
            eraseLine(1)
            for line in 0..<row { grid[line] = blankLine }
        default:
            grid = Array(repeating: blankLine, count: rows)
        }
    }

    private mutating func eraseLine(_ mode: Int) {
        let range = switch mode {
        case 0: column..<columns
        case 1: 0..<(column + 1)
        default: 0..<columns
        }
        for position in range { grid[row][position] = .blank }
    }

    private mutating func setMode(_ mode: Int, on: Bool) {
        switch mode {
        case 1:
            applicationCursorKeys = on
        case 2004:
            bracketedPaste = on
        case 47, 1047, 1049:
            if on, mainScreen == nil {
                mainScreen = (grid, row, column)
                grid = Array(repeating: blankLine, count: rows)
            } else if !on, let main = mainScreen {
                grid = main.grid
                moveTo(row: main.row, column: main.column)
                mainScreen = nil
            }
        default:
            break
        }
    }
}
