import Foundation
@testable import Plugins
import WireJSON
import Testing

struct WyomingReaderTests {
    @Test func dataInlineInTheHeaderAndInItsOwnBlockAreBothRead() throws {
        var reader = WyomingReader()
        reader.append(Data(#"{"type":"transcript","data":{"text":"inline"}}"#.utf8 + [0x0A]))
        let block = Data(#"{"rate":16000,"width":2}"#.utf8)
        let payload = Data([1, 2, 3, 4])
        reader.append(Data(#"{"type":"audio-chunk","data_length":\#(block.count),"payload_length":4}"#.utf8 + [0x0A]))
        reader.append(block)
        reader.append(payload.prefix(2))
        let first = try #require(try reader.next())
        #expect(first.type == "transcript")
        #expect(first.string("text") == "inline")
        #expect(try reader.next() == nil, "waits for the rest of the payload")
        reader.append(payload.suffix(2))
        let second = try #require(try reader.next())
        #expect(second.type == "audio-chunk")
        #expect(second.int("rate") == 16000)
        #expect(second.payload == payload)
    }

    @Test func encodedEventsReadBack() throws {
        let event = WyomingEvent(type: "synthesize", data: ["text": .string("Hello"), "voice": .object(["name": .string("joe")])], payload: Data([9]))
        var reader = WyomingReader()
        reader.append(event.encoded())
        let back = try #require(try reader.next())
        #expect(back.type == "synthesize")
        #expect(back.string("text") == "Hello")
        #expect(back.data["voice"]?["name"]?.stringValue == "joe")
        #expect(back.payload == Data([9]))
    }

    @Test func aMalformedHeaderIsAnError() {
        var reader = WyomingReader()
        reader.append(Data("not json\n".utf8))
        #expect(throws: WyomingReader.Failure.self) { _ = try reader.next() }
    }
}
