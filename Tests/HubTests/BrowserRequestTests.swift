import Foundation
@testable import Hub
import PluginAPI
import Testing

private let limit = 1 << 20

struct BrowserRequestTests {
    @Test func helloKeepsStringCapabilities() throws {
        let request = try BrowserRequest.parse(#"{"type":"hello","capabilities":["pcm",3,"opus"]}"#, maxRecordingBytes: limit)
        #expect(request == .hello(capabilities: ["pcm", "opus"]))
    }

    @Test func helloWithoutCapabilitiesNeedsNoSessionID() throws {
        let request = try BrowserRequest.parse(#"{"type":"hello"}"#, maxRecordingBytes: limit)
        #expect(request == .hello(capabilities: []))
    }

    @Test func playbackDoneNamesItsSession() throws {
        let request = try BrowserRequest.parse(#"{"type":"playback_done","session_id":"voice-1-abcdef"}"#, maxRecordingBytes: limit)
        #expect(request == .playbackDone(sessionID: "voice-1-abcdef"))
    }

    @Test func interruptNamesItsSession() throws {
        let request = try BrowserRequest.parse(#"{"type":"interrupt","session_id":"voice-1-abcdef"}"#, maxRecordingBytes: limit)
        #expect(request == .interrupt(sessionID: "voice-1-abcdef"))
    }

    @Test func audioIsBase64DecodedAndDefaultsToWebm() throws {
        let request = try BrowserRequest.parse(
            #"{"type":"audio","session_id":"voice-1-abcdef","data":"AQIDBA=="}"#, maxRecordingBytes: limit)
        #expect(request == .recording(sessionID: "voice-1-abcdef", audio: Data([1, 2, 3, 4]), format: .webm))
    }

    @Test func audioHonoursMimeType() throws {
        let request = try BrowserRequest.parse(
            #"{"type":"audio","session_id":"voice-1-abcdef","data":"AQID","mime_type":"audio/ogg;codecs=opus"}"#,
            maxRecordingBytes: limit)
        #expect(request == .recording(
            sessionID: "voice-1-abcdef", audio: Data([1, 2, 3]), format: AudioFormat(mimeType: "audio/ogg;codecs=opus")))
    }

    @Test func emptyAudioIsAMutedRecording() throws {
        let request = try BrowserRequest.parse(#"{"type":"audio","session_id":"voice-1-abcdef","data":""}"#, maxRecordingBytes: limit)
        #expect(request == .recording(sessionID: "voice-1-abcdef", audio: Data(), format: .webm))
    }

    @Test func invalidBase64IsRefused() {
        #expect(throws: BrowserRequest.ParseError.invalidBase64) {
            try BrowserRequest.parse(#"{"type":"audio","session_id":"voice-1-abcdef","data":"not base64!"}"#, maxRecordingBytes: limit)
        }
    }

    @Test func audioWithoutDataIsRefused() {
        #expect(throws: BrowserRequest.ParseError.missingField("data")) {
            try BrowserRequest.parse(#"{"type":"audio","session_id":"voice-1-abcdef"}"#, maxRecordingBytes: limit)
        }
    }

    @Test func missingSessionIDIsRefused() {
        #expect(throws: BrowserRequest.ParseError.missingField("session_id")) {
            try BrowserRequest.parse(#"{"type":"audio","data":"AQID"}"#, maxRecordingBytes: limit)
        }
        #expect(throws: BrowserRequest.ParseError.missingField("session_id")) {
            try BrowserRequest.parse(#"{"type":"playback_done","session_id":42}"#, maxRecordingBytes: limit)
        }
    }

    @Test func unknownTypeIsNamed() {
        #expect(throws: BrowserRequest.ParseError.unknownType("frobnicate")) {
            try BrowserRequest.parse(#"{"type":"frobnicate","session_id":"voice-1-abcdef"}"#, maxRecordingBytes: limit)
        }
    }

    @Test func recordingOverTheLimitIsRefusedBeforeDecoding() {
        // 12 base64 characters are 9 bytes.
        #expect(throws: BrowserRequest.ParseError.tooLarge(limit: 4)) {
            try BrowserRequest.parse(#"{"type":"audio","session_id":"voice-1-abcdef","data":"AAAAAAAAAAAA"}"#, maxRecordingBytes: 4)
        }
    }

    @Test func recordingAtTheLimitIsAccepted() throws {
        let request = try BrowserRequest.parse(
            #"{"type":"audio","session_id":"voice-1-abcdef","data":"AAAAAAAAAAAA"}"#, maxRecordingBytes: 9)
        #expect(request == .recording(sessionID: "voice-1-abcdef", audio: Data(count: 9), format: .webm))
    }

    @Test func nonObjectIsNotJSON() {
        #expect(throws: BrowserRequest.ParseError.notJSON) {
            try BrowserRequest.parse("hello", maxRecordingBytes: limit)
        }
        #expect(throws: BrowserRequest.ParseError.notJSON) {
            try BrowserRequest.parse("[1,2]", maxRecordingBytes: limit)
        }
    }
}
