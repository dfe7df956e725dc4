import Foundation
import Testing
import ClawMuxTesting
import WireJSON

/// Answers streamed while the user speaks (`recording_chunk` … `recording_end`) over a real hub,
/// demo agent and bridge. The fake STT's `wav` mode answers a WAV's samples as text, so the
/// "samples" here are ASCII words, and counts its requests: what the agent hears tells which
/// audio was transcribed, the count how often.
@Suite("Streamed recordings")
struct StreamedRecordingTests {
    struct Stream {
        let hub: HubProcess
        let browser: BrowserClient
        let session: String
        let key: String
        let engines: FakeSpeechServer

        func send(_ type: String, _ fields: [String: JSONValue] = [:], recording: String = "rec-1") async throws {
            var message = fields
            message["type"] = .string(type)
            message["session_id"] = .string(session)
            message["recording"] = .string(recording)
            try await browser.send(.object(message))
        }

        func chunk(_ seq: Int, _ text: String, recording: String = "rec-1") async throws {
            try await send("recording_chunk", ["seq": .int(seq), "mime_type": .string("audio/pcm;rate=16000"),
                                               "data": .string(Data(text.utf8).base64EncodedString())], recording: recording)
        }

        func transcriptions() async throws -> Int {
            Int(try await REST(baseURL: engines.url).get("/control/\(key)/count").text) ?? -1
        }

        func untilTranscriptions(_ count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while try await transcriptions() < count {
                guard ContinuousClock.now < deadline else { throw TestFailure("the STT never got \(count) request(s)") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        /// The agent's next words: "You said: <what the hub heard>".
        func heard(after index: Int) async throws -> String {
            let (_, said) = try await browser.next(after: index, timeout: .seconds(30), "the agent's echo") {
                $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == session
            }
            return said["text"]?.stringValue ?? ""
        }
    }

    /// A session whose greeting has been heard: the hub listens for the answer.
    static func listening(_ name: String) async throws -> (Stream, Int) {
        let engines = try await FakeSpeechServer.shared()
        let key = "\(name)-\(UUID().uuidString.prefix(6))"
        let hub = try await HubProcess.start(name: name, ttsURL: engines.url, sttURL: "\(engines.url)/k/\(key)/wav")
        let browser = try await BrowserClient.connect(to: hub)
        let session = try #require(try await hub.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let (audio, _) = try await browser.next("audio", session: session)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(session)]))
        let (listening, _) = try await browser.next("listening", session: session, after: audio)
        return (Stream(hub: hub, browser: browser, session: session, key: key, engines: engines), listening)
    }

    @Test("a pause is transcribed while the user is quiet; ending in that quiet, the answer needs no transcription at its end")
    func transcribedAhead() async throws {
        let (stream, listening) = try await Self.listening("ahead")
        defer { stream.hub.stop() }
        try await stream.chunk(0, "alpha one ")
        try await stream.chunk(1, "bravo two ")
        try await stream.send("recording_pause", ["samples": .int(10)])
        // Quiet after the pause: the page says speech ended at sample 10 (these samples are "quiet").
        try await stream.chunk(2, "zz")
        try await stream.send("recording_end", ["speech_end": .int(10)])
        let said = try await stream.heard(after: listening)
        #expect(said == "You said: alpha one bravo two", "the transcript made at the pause, not of the quiet after it\n\(stream.hub.log)")
        #expect(try await stream.transcriptions() == 1, "one transcription, at the pause")
    }

    @Test("speech after the pause: the whole recording is transcribed at its end")
    func spokeAgain() async throws {
        let (stream, listening) = try await Self.listening("again")
        defer { stream.hub.stop() }
        try await stream.chunk(0, "alpha one ")
        try await stream.send("recording_pause", ["samples": .int(5)])
        try await stream.untilTranscriptions(1)   // the guess is on its way: more speech makes it useless
        try await stream.chunk(1, "charlie three ")
        try await stream.send("recording_end", ["speech_end": .int(12)])
        let said = try await stream.heard(after: listening)
        #expect(said == "You said: alpha one charlie three", "\(stream.hub.log)")
        #expect(try await stream.transcriptions() == 2, "the pause's guess, then the whole")
    }

    @Test("a lost chunk fails the stream with an error naming it; the whole recording, sent then, is the answer")
    func gap() async throws {
        let (stream, listening) = try await Self.listening("gap")
        defer { stream.hub.stop() }
        try await stream.chunk(0, "alpha one ")
        try await stream.chunk(2, "lost ")
        let (_, error) = try await stream.browser.next("error", session: stream.session, after: listening)
        #expect(error["recording"]?.stringValue == "rec-1")
        #expect(error["message"]?.stringValue?.contains("chunk 2 came where 1 was due") == true, "\(error)")
        // The stream is gone: its end is refused too, by name.
        try await stream.send("recording_end", ["speech_end": .int(5)])
        let (_, refused) = try await stream.browser.next(after: listening, "the end refused") {
            $0["type"]?.stringValue == "error" && $0["message"]?.stringValue == "no such streamed recording"
        }
        #expect(refused["recording"]?.stringValue == "rec-1")
        // What the page then does: the recording, whole.
        try await stream.browser.send(.object([
            "type": .string("audio"), "session_id": .string(stream.session), "mime_type": .string("audio/wav"),
            "data": .string(Data("RIFF\0\0\0\0WAVEdata\u{4}\0\0\0whole".utf8).base64EncodedString()),
        ]))
        #expect(try await stream.heard(after: listening) == "You said: whole")
    }

    @Test("bad streamed messages get clear errors and the tab stays connected")
    func badMessages() async throws {
        let (stream, listening) = try await Self.listening("bad")
        defer { stream.hub.stop() }
        try await stream.send("recording_chunk", ["seq": .int(0), "mime_type": .string("audio/webm"), "data": .string("AAAA")], recording: "webm")
        let (first, webm) = try await stream.browser.next("error", after: listening)
        #expect(webm["message"]?.stringValue == "missing or invalid field 'mime_type'", "\(webm)")
        #expect(webm["recording"]?.stringValue == "webm" && webm["session_id"]?.stringValue == stream.session,
                "names the recording, so the page sends it whole: \(webm)")
        try await stream.browser.send(.object(["type": .string("recording_pause"), "session_id": .string(stream.session)]))
        let (_, missing) = try await stream.browser.next("error", after: first + 1)
        #expect(missing["message"]?.stringValue == "missing or invalid field 'recording'", "\(missing)")
        // A pause or a cancel of a recording the hub does not have is nothing to worry about.
        try await stream.send("recording_cancel", recording: "never-started")
        try await stream.chunk(0, "still here ")
        try await stream.send("recording_end", ["speech_end": .int(5)])
        #expect(try await stream.heard(after: listening) == "You said: still here")
    }
}
