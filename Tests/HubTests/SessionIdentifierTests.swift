@testable import Hub
import Testing

struct SessionIdentifierTests {
    @Test func madeIDHasTheOriginalShape() {
        let id = SessionIdentifier.make(number: 7)
        #expect(id.hasPrefix("voice-7-"))
        #expect(id.count == "voice-7-".count + 6)
        let suffix = id.dropFirst("voice-7-".count)
        let isLowercaseHex = suffix.allSatisfy { "0123456789abcdef".contains($0) }
        #expect(isLowercaseHex, "\(suffix)")
    }

    @Test func madeIDsAreWellFormed() {
        for number in [1, 42, 1000] {
            let id = SessionIdentifier.make(number: number)
            #expect(SessionIdentifier.isWellFormed(id), "\(id)")
        }
    }

    @Test(arguments: ["voice-1-abcdef", "voice-42-0a1b2c", "voice-123456-000000"])
    func wellFormedIDsAreAccepted(_ id: String) {
        #expect(SessionIdentifier.isWellFormed(id))
    }

    @Test(arguments: [
        "", "voice", "voice-1", "voice-1-abcde", "voice-1-abcdef0", "voice--abcdef", "voice-x-abcdef",
        "voice-1-ghijkl", "Voice-1-abcdef", "session-1-abcdef", "voice-1-abcdef-2", "voice-1-abc/ef",
        "../voice-1-abcdef", "voice-1-abcdef/..", "voice-\u{FF11}-abcdef", "voice-1-abc ef",
    ])
    func malformedIDsAreRefused(_ id: String) {
        #expect(!SessionIdentifier.isWellFormed(id))
    }

    @Test func overlongIDIsRefused() {
        let id = "voice-" + String(repeating: "1", count: 60) + "-abcdef"
        #expect(!SessionIdentifier.isWellFormed(id))
    }

    /// `Character.isHexDigit` is also true for fullwidth `ａ`-`ｆ` and `０`-`９`: only ASCII is an id.
    @Test func fullwidthHexDigitsAreRefused() {
        #expect(!SessionIdentifier.isWellFormed("voice-1-\u{FF41}\u{FF42}\u{FF43}\u{FF44}\u{FF45}\u{FF46}"))
    }
}
