@testable import Hub
import Testing

/// What is read out of a reply in brief: the first paragraph, a few sentences, no code.
struct ReplyTextTests {
    @Test func aShortReplyIsReadWhole() {
        #expect(ReplyText.brief("Done. The tests pass.") == "Done. The tests pass.")
    }

    @Test func onlyTheFirstParagraphAndAFewSentences() {
        let reply = "I fixed the parser. It now handles tabs. I added a test. I also renamed a helper.\n\nDetails follow."
        #expect(ReplyText.brief(reply) == "I fixed the parser. It now handles tabs. I added a test. \(ReplyText.more)")
        #expect(ReplyText.brief("First paragraph.\n\nSecond one.") == "First paragraph. \(ReplyText.more)")
    }

    @Test func codeAndDiffsAreLeftOut() {
        let reply = "Here is the change:\n```swift\nlet x = 1\n```\n"
        #expect(ReplyText.brief(reply) == "Here is the change: \(ReplyText.more)")
        let diff = "diff --git a/x b/x\n@@ -1 +1 @@\n-old\n+new"
        #expect(ReplyText.brief("Patched.\n" + diff).hasPrefix("Patched."))
        #expect(ReplyText.brief("```\nonly code\n```") == "The reply is in the transcript.")
    }
}
