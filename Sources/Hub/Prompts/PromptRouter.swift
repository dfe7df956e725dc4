/// Where a spoken prompt goes: to the session whose name it starts with ("Adam, run the
/// tests"), else to the one it was said to. Knows the live sessions (the manager registers
/// them); the choice itself is `PromptRouting`'s.
actor PromptRouter {
    private var sessions: [String: Session] = [:]

    func register(_ session: Session) { sessions[session.id] = session }
    func unregister(_ id: String) { sessions[id] = nil }

    /// Returns the session it went to, the prompt and what became of it.
    func route(_ text: String, from id: String) async throws(SessionError) -> (sessionID: String, prompt: Prompt, state: Prompt.State) {
        var labels: [(id: String, label: String)] = []
        for (sessionID, session) in sessions { labels.append((sessionID, await session.label)) }
        let (target, words) = PromptRouting.route(text, labels: labels, default: id)
        guard let session = sessions[target] else { throw .notFound(target) }
        let (prompt, state) = try await session.prompt(try Prompt.validated(words))
        return (target, prompt, state)
    }
}
