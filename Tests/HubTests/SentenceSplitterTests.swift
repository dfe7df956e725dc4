@testable import Hub
import Testing

struct SentenceSplitterTests {
    @Test func firstPieceIsTheFirstSentenceAlone() {
        let pieces = SentenceSplitter.split("Hello there. This is the second one. And a third!")
        #expect(pieces == ["Hello there.", "This is the second one. And a third!"])
    }

    @Test func questionAndExclamationMarksWithQuotesEndSentences() {
        #expect(SentenceSplitter.sentences(in: "Really?! \"Yes.\" Fine") == ["Really?!", "\"Yes.\"", "Fine"])
    }

    @Test func numbersAbbreviationsAndInitialsDoNotEndSentences() {
        let text = "Pi is 3.14 roughly. Ask Dr. Smith, e.g. on Monday. J. R. R. Tolkien wrote it."
        #expect(SentenceSplitter.sentences(in: text) == [
            "Pi is 3.14 roughly.", "Ask Dr. Smith, e.g. on Monday.", "J. R. R. Tolkien wrote it.",
        ])
    }

    @Test func blankLinesEndSentencesAndSingleNewlinesBecomeSpaces() {
        #expect(SentenceSplitter.sentences(in: "A heading\n\nSome text\nwrapped here") == ["A heading", "Some text wrapped here"])
    }

    @Test func theFirstPieceStaysShortHoweverLongTheMessage() {
        let long = (1...200).map { "word\($0)" }.joined(separator: " ") + "."
        let pieces = SentenceSplitter.split(long)
        #expect(pieces[0].count <= 160)
        #expect(pieces.joined(separator: " ") == long, "nothing is lost or reordered")
    }

    @Test func longSentencesAreCutAtCommasFirst() {
        let sentence = String(repeating: "a", count: 100) + ", " + String(repeating: "b", count: 100)
        #expect(SentenceSplitter.cut(sentence, limit: 150) == [String(repeating: "a", count: 100) + ",", String(repeating: "b", count: 100)])
    }

    @Test func laterSentencesAreGroupedUpToTheLimitInOrder() {
        let sentences = (1...30).map { "Sentence number \($0) is here." }
        let pieces = SentenceSplitter.split(sentences.joined(separator: " "))
        #expect(pieces[0] == "Sentence number 1 is here.")
        #expect(pieces.count > 2)
        #expect(pieces.dropFirst().allSatisfy { $0.count <= 400 })
        #expect(pieces.joined(separator: " ") == sentences.joined(separator: " "))
    }

    @Test func emptyAndBlankTextHaveNoPieces() {
        #expect(SentenceSplitter.split("") == [])
        #expect(SentenceSplitter.split("  \n\n ") == [])
    }
}
