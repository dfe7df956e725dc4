import Foundation
import Hub
import ClawMuxTesting

/// Plays the browser's part of one converse turn and reports what happened.
struct Conversation {
    let browser: BrowserClient
    let sessionID: String

    struct Turn {
        /// What the agent said (assistant_text).
        let said: String
        /// The audio it was spoken with, decoded.
        let audio: Data
        let audioFormat: String?
        /// Message types of the turn, in order, for this session.
        let types: [String]
        /// Index after the turn's `done`.
        let end: Int
    }

    /// Waits for the agent to speak and acknowledges playback; then answers `recording` when
    /// asked and waits for `done`, or with no recording returns right after the audio.
    func turn(after start: Int, answer recording: Data?, format: String = "audio/webm", timeout: Duration = .seconds(30)) async throws -> Turn {
        let (textIndex, text) = try await browser.next("assistant_text", session: sessionID, after: start, timeout: timeout)
        let said = text["text"]?.stringValue ?? ""
        let (audioIndex, audioMessage) = try await browser.next("audio", session: sessionID, after: textIndex, timeout: timeout)
        let audio = Data(base64Encoded: audioMessage["data"]?.stringValue ?? "") ?? Data()
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(sessionID)]))
        guard let recording else {
            return Turn(said: said, audio: audio, audioFormat: audioMessage["format"]?.stringValue,
                        types: types(from: textIndex, through: audioIndex), end: audioIndex + 1)
        }
        let (listenIndex, _) = try await browser.next("listening", session: sessionID, after: audioIndex, timeout: timeout)
        try await browser.send(.object([
            "type": .string("audio"), "session_id": .string(sessionID),
            "data": .string(recording.base64EncodedString()), "mime_type": .string(format),
        ]))
        let (doneIndex, _) = try await browser.next("done", session: sessionID, after: listenIndex, timeout: timeout)
        return Turn(said: said, audio: audio, audioFormat: audioMessage["format"]?.stringValue,
                    types: types(from: textIndex, through: doneIndex), end: doneIndex + 1)
    }

    /// This session's message types in a range, without the status-change announcements.
    private func types(from start: Int, through end: Int) -> [String] {
        browser.messages[start...end]
            .filter { $0["session_id"]?.stringValue == sessionID && $0["type"]?.stringValue != "session_status" }
            .compactMap { $0["type"]?.stringValue }
    }
}
