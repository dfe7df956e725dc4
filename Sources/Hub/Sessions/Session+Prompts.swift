import Foundation
import PluginAPI

extension Session {
    /// The user speaks or types to the agent: returns the prompt and what became of it.
    func prompt(_ text: String) async throws(SessionError) -> (Prompt, Prompt.State) {
        guard !machine.ending, machine.status != .dead else { throw .conflict("session '\(id)' has ended") }
        let actions = machine.handle(.prompt(text), now: Date())
        let outcome = actions.lazy.compactMap { action -> (Prompt, Prompt.State)? in
            if case .announcePrompt(let prompt, let state) = action { (prompt, state) } else { nil }
        }.first
        await perform(actions)
        guard let outcome else { throw .unavailable("the prompt was not taken") }
        return outcome
    }

    /// A recorded prompt: transcribed, then taken like a typed one.
    func promptRecording(_ audio: Data, format: AudioFormat, endWord: String? = nil, transcript: Task<String, any Error>? = nil) async {
        await withTranscript(transcript, of: audio) { await handle(.promptRecording(audio, format, endWord: endWord)) }
    }

    /// A spoken prompt goes to the agent it names, else to this one.
    func routeSpokenPrompt(_ text: String) async {
        do throws(SessionError) {
            let routed = try await services.prompts.route(text, from: id)
            if routed.sessionID != id { logger.info("a spoken prompt named another agent", metadata: ["to": "\(routed.sessionID)"]) }
        } catch {
            await services.browsers.broadcast(.error(sessionID: id, message: "The prompt was not sent: \(error)"))
        }
    }

    func promptTranscribed(_ recording: UInt64, _ event: SessionMachine.Event) async {
        promptTranscriptions[recording] = nil
        guard !Task.isCancelled else { return }
        switch event {
        case .transcribed(_, let text): await handle(.promptHeard(id: recording, text: text))
        case .transcriptionFailed(_, let reason): await handle(.promptNotHeard(id: recording, reason: reason))
        default: break
        }
    }
}
