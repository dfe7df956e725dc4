/// One keystroke (or a run of literal text) sent to an agent's terminal: how dialogs are
/// answered (arrow keys, Enter, a digit) and how the startup input is typed.
public enum TerminalKey: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    /// Text as one paste: bracketed (`ESC [200~ … ESC [201~`) when the program asked for that,
    /// so an Enter that reaches it in the same read still submits (a TUI reading typed text and
    /// Enter together takes the Enter for a newline of the paste).
    case paste(String)
    case enter, up, down, left, right, tab, escape, backspace, space

    /// Key names as configs and the page write them (`Up`, `Enter`, ...); a single printable
    /// character stands for itself. nil for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "enter", "return": self = .enter
        case "up": self = .up
        case "down": self = .down
        case "left": self = .left
        case "right": self = .right
        case "tab": self = .tab
        case "escape", "esc": self = .escape
        case "backspace", "bspace": self = .backspace
        case "space": self = .space
        default:
            guard name.count == 1, let scalar = name.unicodeScalars.first, scalar.value >= 0x21, scalar.value < 0x7F else { return nil }
            self = .text(name)
        }
    }

    /// The names `init(name:)` takes besides single characters, for error messages.
    public static let names = ["Enter", "Up", "Down", "Left", "Right", "Tab", "Escape", "Backspace", "Space"]

    public var description: String {
        switch self {
        case .text(let text): text
        case .paste(let text): "paste(\(text.count) characters)"
        case .enter: "Enter"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .tab: "Tab"
        case .escape: "Escape"
        case .backspace: "Backspace"
        case .space: "Space"
        }
    }

    /// The bytes a terminal sends for the key. `applicationCursor`: the program switched the
    /// arrow keys to their `ESC O` form (DECCKM), as full-screen programs may.
    public func bytes(applicationCursor: Bool, bracketedPaste: Bool = false) -> [UInt8] {
        let arrowPrefix: [UInt8] = applicationCursor ? [0x1B, 0x4F] : [0x1B, 0x5B]
        switch self {
        case .text(let text): return Array(text.utf8)
        case .paste(let text):
            // The text itself must not end the paste early.
            let safe = Array(text.replacingOccurrences(of: "\u{1B}", with: "").utf8)
            return bracketedPaste ? Array("\u{1B}[200~".utf8) + safe + Array("\u{1B}[201~".utf8) : safe
        case .enter: return [0x0D]
        case .up: return arrowPrefix + [0x41]
        case .down: return arrowPrefix + [0x42]
        case .right: return arrowPrefix + [0x43]
        case .left: return arrowPrefix + [0x44]
        case .tab: return [0x09]
        case .escape: return [0x1B]
        case .backspace: return [0x7F]
        case .space: return [0x20]
        }
    }
}
