@testable import Hub
import Testing

struct SpokenTextTests {
    @Test func plainTextIsUnchanged() {
        #expect(SpokenText.from("Hello there, how can I help?") == "Hello there, how can I help?")
    }

    @Test func emphasisHeadingsAndBulletsAreNotRead() {
        #expect(SpokenText.from("# Plan\n- **first** step\n* _then_ *more*") == "Plan first step _then_ more")
    }

    @Test func linksReadTheirTextOnly() {
        #expect(SpokenText.from("See [the docs](https://example.com/x) and ![a chart](c.png).") == "See the docs and a chart.")
    }

    @Test func codeBlocksAreNamedNotRead() {
        let message = "Run this:\n```bash\nrm -rf build\nswift build\n```\nThen test."
        #expect(SpokenText.from(message) == "Run this: code block. Then test.")
        #expect(SpokenText.from("Use `swift test` now") == "Use swift test now")
    }
}
