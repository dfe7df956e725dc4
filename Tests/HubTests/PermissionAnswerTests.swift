@testable import Hub
import Testing

/// What the STT writes for a spoken answer to "Sky wants to run npm test. Allow?".
struct PermissionAnswerTests {
    @Test(arguments: ["Yes, go ahead.", "yes", "Yeah.", "Sure, do it!", "OK", "Go ahead", "Allow it.", "Approved."])
    func yes(_ text: String) {
        #expect(PermissionAnswer.interpret(text) == .allow)
    }

    @Test(arguments: ["No.", "No, don't.", "Deny.", "Nope", "Don’t do that.", "Stop!", "Do not run it.", "Don't do it."])
    func no(_ text: String) {
        #expect(PermissionAnswer.interpret(text) == .deny)
    }

    @Test(arguments: ["Yes, always.", "Yes, for this session.", "Allow it from now on."])
    func forTheSession(_ text: String) {
        #expect(PermissionAnswer.interpret(text) == .allowSession)
    }

    /// Neither, or both: the question is asked again.
    @Test(arguments: ["", ". .", "What is it doing?", "No, wait, yes.", "Not fine.", "Hmm, maybe."])
    func unclear(_ text: String) {
        #expect(PermissionAnswer.interpret(text) == nil)
    }

    @Test func theQuestionSaysWhoWantsWhat() {
        #expect(PermissionAnswer.question(label: "Sky", tool: "Bash", detail: "npm test") == "Sky wants to run npm test. Allow?")
        #expect(PermissionAnswer.question(label: "Sky", tool: "Bash", detail: "python3 -c 'print(6*7)'") == "Sky wants to run a python3 command. Allow?")
        #expect(PermissionAnswer.question(label: "Sky", tool: "Bash", detail: "echo approved > a.txt") == "Sky wants to run an echo command. Allow?")
        #expect(PermissionAnswer.question(label: "Sky", tool: "Bash", detail: "/usr/bin/git push --force | tee log") == "Sky wants to run a git command. Allow?")
        #expect(PermissionAnswer.question(label: "Sky", tool: "Edit", detail: "src/a.ts") == "Sky wants to edit src/a.ts. Allow?")
        #expect(PermissionAnswer.question(label: "", tool: "mcp__db__drop", detail: nil) == "The agent wants to use mcp__db__drop. Allow?")
    }
}
