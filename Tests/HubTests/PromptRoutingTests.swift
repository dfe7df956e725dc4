@testable import Hub
import Testing

struct PromptRoutingTests {
    let labels = [(id: "s1", label: "Sky"), (id: "s2", label: "Adam"), (id: "s3", label: "Echo")]

    @Test func aPromptThatStartsWithANameGoesToThatAgentWithoutTheName() {
        #expect(PromptRouting.route("Adam, run the tests.", labels: labels, default: "s1") == ("s2", "Run the tests."))
        #expect(PromptRouting.route("hey sky: what is left?", labels: labels, default: "s2") == ("s1", "What is left?"))
        #expect(PromptRouting.route("Sky, stop.", labels: labels, default: "s1") == ("s1", "Stop."))
    }

    @Test func otherwiseItStaysWithTheSessionItWasSaidTo() {
        #expect(PromptRouting.route("Echo the output to a file.", labels: labels, default: "s1") == ("s1", "Echo the output to a file."))
        #expect(PromptRouting.route("Adamant people, unite.", labels: labels, default: "s1").id == "s1")
        #expect(PromptRouting.route("Adam,", labels: labels, default: "s1").id == "s1", "a name alone says nothing")
    }

    @Test func theEndWordIsLeftOut() {
        #expect(EndWord.strip("Run the tests, over.", word: "over") == "Run the tests")
        #expect(EndWord.strip("Run the tests. Over.", word: "over") == "Run the tests.")
        #expect(EndWord.strip("It is a takeover", word: "over") == "It is a takeover")
        #expect(EndWord.strip("Game over", word: nil) == "Game over")
    }
}
