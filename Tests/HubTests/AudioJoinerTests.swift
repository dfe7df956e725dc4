import Foundation
@testable import Hub
import PluginAPI
import Testing
import PluginRuntime

struct AudioJoinerTests {
    let pcm22k = AudioFormat.pcm16(sampleRate: 22050)

    @Test func pcmPiecesBecomeOneWAVWithTheirRate() async throws {
        var joiner = AudioJoiner()
        #expect(joiner.add(.audio(Data([1, 0, 2, 0]), pcm22k, segment: 0)) == .init(audio: Data([1, 0, 2, 0]), format: pcm22k))
        _ = joiner.add(.audio(Data([3, 0]), pcm22k, segment: 1))
        #expect(joiner.chunks == 2 && joiner.lastFormat == pcm22k)
        let (audio, format) = try #require(try await joiner.finish().map { ($0.audio, $0.format) })
        #expect(format == .wav)
        var decoder = WAVStreamDecoder()
        #expect(try decoder.feed(audio) == Data([1, 0, 2, 0, 3, 0]))
        #expect(decoder.format == pcm22k)
    }

    @Test func mp3PiecesAreConcatenated() async throws {
        var joiner = AudioJoiner()
        _ = joiner.add(.audio(Data("ab".utf8), .mp3, segment: 0))
        _ = joiner.add(.audio(Data("cd".utf8), .mp3, segment: 0))
        let joined = try await joiner.finish()
        #expect(joined?.audio == Data("abcd".utf8))
        #expect(joined?.format == .mp3)
    }

    @Test func aRestartedSegmentKeepsOnlyItsSecondTry() async throws {
        var joiner = AudioJoiner()
        _ = joiner.add(.audio(Data("one ".utf8), .mp3, segment: 0))
        _ = joiner.add(.audio(Data("tw".utf8), .mp3, segment: 1))
        #expect(joiner.add(.segmentRestarted(segment: 1)) == nil)
        _ = joiner.add(.audio(Data("two".utf8), .mp3, segment: 1))
        #expect(joiner.chunks == 3, "every piece was streamed, the dropped one too")
        #expect(try await joiner.finish()?.audio == Data("one two".utf8))
    }

    @Test func aFirstSegmentRestartedOnAnEngineOfAnotherEncodingKeepsOnlyTheNewOne() async throws {
        var joiner = AudioJoiner()
        _ = joiner.add(.audio(Data("partial mp3".utf8), .mp3, segment: 0))
        _ = joiner.add(.segmentRestarted(segment: 0))
        _ = joiner.add(.audio(Data([5, 0, 6, 0]), pcm22k, segment: 0))
        #expect(!joiner.isMixed)
        let (audio, format) = try #require(try await joiner.finish().map { ($0.audio, $0.format) })
        #expect(format == .wav)
        var decoder = WAVStreamDecoder()
        #expect(try decoder.feed(audio) == Data([5, 0, 6, 0]))
    }

    @Test func partsInDifferentEncodingsAreAllKeptAsPCM() async throws {
        // Half a second of a tone as PCM, and the same as an MP3 made by ffmpeg.
        let samples = (0..<11025).map { Int16(8000 * sin(Double($0) * 2 * .pi * 440 / 22050)) }
        let pcm = samples.withUnsafeBytes { Data($0) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("joiner-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wavPath = directory.appendingPathComponent("tone.wav").path, mp3Path = directory.appendingPathComponent("tone.mp3").path
        try WAVFile.wrap(pcm, sampleRate: 22050).write(to: URL(fileURLWithPath: wavPath))
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ffmpeg.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", wavPath, mp3Path]
        try ffmpeg.run()
        // Waiting blocks a thread: not one of the (two) that run every test's async code.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { ffmpeg.waitUntilExit(); done.resume() }.start()
        }
        let mp3 = try Data(contentsOf: URL(fileURLWithPath: mp3Path))

        var joiner = AudioJoiner()
        _ = joiner.add(.audio(mp3, .mp3, segment: 0))
        _ = joiner.add(.audio(pcm, pcm22k, segment: 1))
        #expect(joiner.isMixed)
        let (audio, format) = try #require(try await joiner.finish().map { ($0.audio, $0.format) })
        #expect(format == .wav)
        var decoder = WAVStreamDecoder()
        let joined = try decoder.feed(audio)
        let seconds = Double(joined.count) / 2 / 22050
        #expect(seconds > 0.95 && seconds < 1.3, "both halves are there: \(seconds) s")
    }

    @Test func nothingReceivedIsNil() async throws {
        #expect(try await AudioJoiner().finish() == nil)
    }
}

struct WAVStreamDecoderTests {
    @Test func headerSplitAcrossChunksAndTrailingChunksAreHandled() throws {
        var file = WAVFile.wrap(Data([10, 0, 20, 0, 30, 0]), sampleRate: 16000)
        file.append(contentsOf: Array("LIST".utf8) + [4, 0, 0, 0] + Array("meta".utf8))
        var decoder = WAVStreamDecoder()
        var pcm = Data()
        for index in stride(from: 0, to: file.count, by: 5) {
            pcm.append(try decoder.feed(file.subdata(in: index..<min(index + 5, file.count))))
        }
        #expect(pcm == Data([10, 0, 20, 0, 30, 0]), "the LIST chunk after the samples is no audio")
        #expect(decoder.format == .pcm16(sampleRate: 16000))
    }

    @Test func aStreamedWAVWithUnknownLengthPassesEverythingThrough() throws {
        var file = WAVFile.wrap(Data(), sampleRate: 24000)
        // Streaming writers put 0xFFFFFFFF as the data size.
        file.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])
        var decoder = WAVStreamDecoder()
        #expect(try decoder.feed(file) == Data())
        #expect(try decoder.feed(Data([1, 2, 3, 4])) == Data([1, 2, 3, 4]))
    }

    @Test func notAWAVIsRefused() {
        var decoder = WAVStreamDecoder()
        #expect(throws: WAVStreamDecoder.Failure.self) { try decoder.feed(Data("ID3 not a riff file".utf8)) }
    }

    @Test func stereoRateAndChannelsAreInTheFormat() throws {
        var decoder = WAVStreamDecoder()
        _ = try decoder.feed(WAVFile.wrap(Data([0, 0, 0, 0]), sampleRate: 44100, channels: 2))
        #expect(decoder.format?.pcmLayout?.sampleRate == 44100)
        #expect(decoder.format?.pcmLayout?.channels == 2)
    }
}
