import Foundation
import WireJSON

/// Something the user said (or typed) to an agent outside a converse: a new task for it.
public struct Prompt: Sendable, Equatable {
    public let id: String
    public let text: String
    public let at: Date

    /// Longer than this is refused (a prompt is typed into the agent's terminal).
    public static let maxCharacters = 20_000

    /// The text as it is typed (trimmed), or why it cannot be.
    static func validated(_ text: String) throws(SessionError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalidPrompt("the prompt is empty") }
        guard trimmed.count <= maxCharacters else {
            throw .invalidPrompt("the prompt is \(trimmed.count) characters long; the limit is \(maxCharacters)")
        }
        return trimmed
    }

    public var json: JSONValue {
        .object(["prompt_id": .string(id), "text": .string(text), "at": .number(at.timeIntervalSince1970)])
    }

    public enum State: String, Sendable {
        /// Typed into the agent's terminal.
        case delivered
        /// Held until the agent's turn ends.
        case queued
        /// The agent was asking (a converse): this was its answer.
        case answered
        /// The agent ended before it got it (the transcript keeps it).
        case lost
    }
}

/// A session's prompts waiting for the agent's turn to end, in the order they came.
struct PromptQueue: Sendable {
    private(set) var waiting: [Prompt] = []

    var isEmpty: Bool { waiting.isEmpty }

    mutating func add(_ prompt: Prompt) { waiting.append(prompt) }

    /// All of them, to be delivered as one (the agent takes one prompt per turn).
    mutating func takeAll() -> [Prompt] {
        defer { waiting.removeAll() }
        return waiting
    }

    /// The text typed for several prompts at once: each on its own paragraph, in order.
    static func joined(_ prompts: [Prompt]) -> String {
        prompts.map(\.text).joined(separator: "\n\n")
    }
}
