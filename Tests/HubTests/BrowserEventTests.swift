import Foundation
@testable import Hub
import PluginAPI
import Testing
import WireJSON

struct BrowserEventTests {
    @Test func audioIsBase64WithItsFormat() {
        let event = BrowserEvent.session(id: "voice-1-abcdef", .audio(Data([0xFF, 0xFB, 0x90]), .mp3))
        let expected: JSONValue = .object([
            "type": .string("audio"), "session_id": .string("voice-1-abcdef"),
            "data": .string("//uQ"), "format": .string("audio/mpeg"),
        ])
        #expect(event.json == expected)
    }

    @Test func audioTextKeepsSlashesUnescaped() {
        let event = BrowserEvent.session(id: "voice-1-abcdef", .audio(Data([0xFF, 0xFB, 0x90]), .mp3))
        #expect(event.json.encodedText()
            == #"{"data":"//uQ","format":"audio/mpeg","session_id":"voice-1-abcdef","type":"audio"}"#)
    }

    @Test func pcmAudioCarriesItsRate() {
        let event = BrowserEvent.session(id: "voice-1-abcdef", .audio(Data([0, 1]), .pcm16(sampleRate: 24_000)))
        #expect(event.json["format"] == JSONValue.string("audio/pcm;rate=24000"))
    }

    @Test func sessionTerminatedNamesTheSession() {
        let event = BrowserEvent.sessionTerminated(id: "voice-2-0a1b2c")
        #expect(event.json == JSONValue.object(["type": .string("session_terminated"), "session_id": .string("voice-2-0a1b2c")]))
        #expect(event.json.encodedText() == #"{"session_id":"voice-2-0a1b2c","type":"session_terminated"}"#)
    }

    @Test func sessionTextEventsUseTheOriginalTypes() {
        #expect(BrowserEvent.session(id: "s", .assistantText("Hi")).json["type"] == JSONValue.string("assistant_text"))
        #expect(BrowserEvent.session(id: "s", .userText("Yo")).json["type"] == JSONValue.string("user_text"))
        #expect(BrowserEvent.session(id: "s", .status("Speaking...")).json["text"] == JSONValue.string("Speaking..."))
        #expect(BrowserEvent.session(id: "s", .listening).json["type"] == JSONValue.string("listening"))
        #expect(BrowserEvent.session(id: "s", .done).json["type"] == JSONValue.string("done"))
    }

    @Test func errorOmitsAMissingSessionID() {
        #expect(BrowserEvent.error(sessionID: nil, message: "bad").json == JSONValue.object(["type": .string("error"), "message": .string("bad")]))
        #expect(BrowserEvent.error(sessionID: "s", message: "bad").json["session_id"] == JSONValue.string("s"))
    }

    @Test func aTurnTagIsSentWhenKnown() {
        let tagged = BrowserEvent.session(id: "voice-1-abcdef", .listening, turn: "a1b2c3d4").json
        #expect(tagged["turn"] == .string("a1b2c3d4"))
        #expect(BrowserEvent.session(id: "voice-1-abcdef", .listening).json["turn"] == nil)
    }
}
