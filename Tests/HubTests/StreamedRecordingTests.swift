import Foundation
@testable import Hub
import Testing

/// The streamed-recording messages as parsed, and the per-tab store that makes them whole.
struct StreamedRecordingParsingTests {
    let limit = 1 << 20

    func parse(_ text: String) throws(BrowserRequest.ParseError) -> BrowserRequest {
        try BrowserRequest.parse(text, maxRecordingBytes: limit)
    }

    @Test func chunkCarriesItsSamplesAndRate() throws {
        let request = try parse(#"{"type":"recording_chunk","session_id":"s","recording":"r1","seq":3,"mime_type":"audio/pcm;rate=16000","data":"AQIDBA=="}"#)
        #expect(request == .recordingChunk(sessionID: "s", recording: "r1", seq: 3, pcm: Data([1, 2, 3, 4]), sampleRate: 16000))
    }

    @Test func chunkRefusesWhatIsNotMonoPCMAtASpeechRate() {
        for mime in ["audio/webm", "audio/pcm;rate=16000;channels=2", "audio/pcm;rate=1000", "audio/pcm"] {
            #expect(throws: BrowserRequest.ParseError.missingField("mime_type"), "\(mime)") {
                try parse(#"{"type":"recording_chunk","session_id":"s","recording":"r1","seq":0,"mime_type":"\#(mime)","data":"AQID"}"#)
            }
        }
        #expect(throws: BrowserRequest.ParseError.missingField("seq")) {
            try parse(#"{"type":"recording_chunk","session_id":"s","recording":"r1","seq":-1,"mime_type":"audio/pcm;rate=16000","data":"AQID"}"#)
        }
        #expect(throws: BrowserRequest.ParseError.invalidBase64) {
            try parse(#"{"type":"recording_chunk","session_id":"s","recording":"r1","seq":0,"mime_type":"audio/pcm;rate=16000","data":"***"}"#)
        }
    }

    @Test func everyStreamedMessageNamesItsRecording() {
        for type in ["recording_chunk", "recording_pause", "recording_end", "recording_cancel"] {
            #expect(throws: BrowserRequest.ParseError.missingField("recording"), "\(type)") {
                try parse(#"{"type":"\#(type)","session_id":"s"}"#)
            }
        }
        #expect(throws: BrowserRequest.ParseError.unknownType("recording_later")) {
            try parse(#"{"type":"recording_later","session_id":"s","recording":"r"}"#)
        }
    }

    @Test func endSaysWhatTheRecordingIsFor() throws {
        #expect(try parse(#"{"type":"recording_end","session_id":"s","recording":"r","speech_end":160,"turn":"t7","end_word":"over"}"#)
                == .recordingEnd(sessionID: "s", recording: "r", speechEnd: 160, purpose: .answer(turn: "t7"), endWord: "over"))
        #expect(try parse(#"{"type":"recording_end","session_id":"s","recording":"r","purpose":"prompt","speech_end":-4}"#)
                == .recordingEnd(sessionID: "s", recording: "r", speechEnd: nil, purpose: .prompt, endWord: nil))
        #expect(try parse(#"{"type":"recording_pause","session_id":"s","recording":"r","samples":800}"#)
                == .recordingPause(sessionID: "s", recording: "r", samples: 800))
    }
}

struct StreamedRecordingsTests {
    static func never() -> Task<String, any Error> {
        Task { try await Task.sleep(for: .seconds(3600)); return "never" }
    }

    @Test func chunksInOrderMakeOneWAV() throws {
        var streams = StreamedRecordings(maxBytes: 100)
        try streams.append("r", sessionID: "s", seq: 0, pcm: Data([1, 0, 2, 0]), sampleRate: 16000)
        try streams.append("r", sessionID: "s", seq: 1, pcm: Data([3, 0]), sampleRate: 16000)
        try streams.append("r", sessionID: "s", seq: 1, pcm: Data([9, 9]), sampleRate: 16000)   // a repeat: ignored
        let whole = streams.finish("r", sessionID: "s", speechEnd: nil)
        let finished = try #require(whole)
        #expect(finished.wav.count == 44 + 6)
        #expect(finished.wav.prefix(4) == Data("RIFF".utf8))
        #expect(finished.wav.suffix(6) == Data([1, 0, 2, 0, 3, 0]))
        // 16000 Hz, little-endian, at offset 24.
        #expect(finished.wav[24..<28] == Data([0x80, 0x3E, 0, 0]))
        #expect(finished.transcript == nil)
        #expect(streams.streams.isEmpty)
    }

    @Test func aGapOrAnOverflowDropsTheRecording() {
        var streams = StreamedRecordings(maxBytes: 6)
        #expect(throws: StreamedRecordings.Failure.gap(expected: 1, got: 2)) {
            try streams.append("r", sessionID: "s", seq: 0, pcm: Data([1, 0]), sampleRate: 16000)
            try streams.append("r", sessionID: "s", seq: 2, pcm: Data([1, 0]), sampleRate: 16000)
        }
        #expect(streams.streams.isEmpty)
        #expect(throws: StreamedRecordings.Failure.tooLarge(limit: 6)) {
            try streams.append("big", sessionID: "s", seq: 0, pcm: Data(count: 4), sampleRate: 16000)
            try streams.append("big", sessionID: "s", seq: 1, pcm: Data(count: 4), sampleRate: 16000)
        }
        #expect(throws: StreamedRecordings.Failure.rateChanged) {
            try streams.append("r2", sessionID: "s", seq: 0, pcm: Data(count: 2), sampleRate: 16000)
            try streams.append("r2", sessionID: "s", seq: 1, pcm: Data(count: 2), sampleRate: 48000)
        }
        #expect(throws: StreamedRecordings.Failure.otherSession) {
            try streams.append("r3", sessionID: "s", seq: 0, pcm: Data(count: 2), sampleRate: 16000)
            try streams.append("r3", sessionID: "other", seq: 1, pcm: Data(count: 2), sampleRate: 16000)
        }
        #expect(streams.finish("r3", sessionID: "s", speechEnd: nil) == nil, "dropped")
    }

    @Test func aTabStreamsOnlyAFewAtOnce() throws {
        var streams = StreamedRecordings(maxBytes: 100)
        for index in 0..<StreamedRecordings.maxOpen {
            try streams.append("r\(index)", sessionID: "s", seq: 0, pcm: Data(count: 2), sampleRate: 16000)
        }
        #expect(throws: StreamedRecordings.Failure.tooMany(limit: StreamedRecordings.maxOpen)) {
            try streams.append("one-more", sessionID: "s", seq: 0, pcm: Data(count: 2), sampleRate: 16000)
        }
    }

    @Test func theGuessCountsOnlyWhenItHeardEverythingBeforeTheFinalQuiet() async throws {
        var streams = StreamedRecordings(maxBytes: 100)
        try streams.append("r", sessionID: "s", seq: 0, pcm: Data(count: 20), sampleRate: 16000)
        let soFar = try #require(streams.soFar("r", sessionID: "s"))
        #expect(soFar.samples == 10 && soFar.wav.count == 44 + 20)
        #expect(streams.soFar("r", sessionID: "other") == nil)
        let older = Self.never(), guess = Self.never()
        streams.guessed("r", samples: 4, transcript: older)
        streams.guessed("r", samples: 10, transcript: guess)
        #expect(older.isCancelled, "a newer pause makes the older guess useless")
        try streams.append("r", sessionID: "s", seq: 1, pcm: Data(count: 8), sampleRate: 16000)

        var covered = streams
        let usedGuess = covered.finish("r", sessionID: "s", speechEnd: 10)?.transcript
        let used = try #require(usedGuess)
        #expect(!used.isCancelled)

        let ended = streams.finish("r", sessionID: "s", speechEnd: 12)
        let notCovered = try #require(ended)
        #expect(notCovered.transcript == nil)
        #expect(guess.isCancelled, "speech after the guess: the whole recording is transcribed")
    }

    @Test func droppingCancelsTheGuesses() throws {
        var streams = StreamedRecordings(maxBytes: 100)
        try streams.append("a", sessionID: "s", seq: 0, pcm: Data(count: 2), sampleRate: 16000)
        try streams.append("b", sessionID: "s", seq: 0, pcm: Data(count: 2), sampleRate: 16000)
        let first = Self.never(), second = Self.never(), late = Self.never()
        streams.guessed("a", samples: 1, transcript: first)
        streams.guessed("b", samples: 1, transcript: second)
        streams.guessed("gone", samples: 1, transcript: late)
        #expect(late.isCancelled, "a guess for no recording is not kept")
        streams.drop("a")
        #expect(first.isCancelled && !second.isCancelled)
        streams.dropAll()
        #expect(second.isCancelled && streams.streams.isEmpty)
    }
}
