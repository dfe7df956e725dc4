import Logging
import PluginAPI

/// What every session needs from the hub: engines, browsers, settings.
struct SessionServices: Sendable {
    let router: SpeechRouter
    /// Where each session's transcript (JSON Lines) is kept.
    let transcriptDirectory: String
    let browsers: BrowserHub
    let settings: SessionSettings
    let limits: Limits
    /// Spoken prompts that name another agent go there.
    let prompts: PromptRouter
    let logger: Logger
}

/// How waiting for a new session's bridge ended.
enum Readiness: Sendable, Equatable {
    case ready
    case agentExited
    case timedOut
    case terminated
}
