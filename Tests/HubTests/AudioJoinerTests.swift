import Foundation
@testable import Hub
import PluginAPI
import Testing

struct AudioJoinerTests {
    let pcm22k = AudioFormat.pcm16(sampleRate: 22050)

    @Test func pcmPiecesBecomeOneWAVWithTheirRate() throws {
        var joiner = AudioJoiner()
        joiner.startSegment()
        joiner.append(Data([1, 0, 2, 0]), format: pcm22k)
        joiner.startSegment()
        joiner.append(Data([3, 0]), format: pcm22k)
        let (audio, format) = try #require(joiner.finish())
        #expect(format == .wav)
        var decoder = WAVStreamDecoder()
        #expect(try decoder.feed(audio) == Data([1, 0, 2, 0, 3, 0]))
        #expect(decoder.format == pcm22k)
    }

    @Test func mp3PiecesAreConcatenated() throws {
        var joiner = AudioJoiner()
        joiner.append(Data("ab".utf8), format: .mp3)
        joiner.append(Data("cd".utf8), format: .mp3)
        #expect(joiner.finish()?.audio == Data("abcd".utf8))
        #expect(joiner.finish()?.format == .mp3)
    }

    @Test func aRestartedSegmentKeepsOnlyItsSecondTry() throws {
        var joiner = AudioJoiner()
        joiner.startSegment()
        joiner.append(Data("one ".utf8), format: .mp3)
        joiner.startSegment()
        joiner.append(Data("tw".utf8), format: .mp3)
        joiner.restartSegment()
        joiner.append(Data("two".utf8), format: .mp3)
        #expect(joiner.finish()?.audio == Data("one two".utf8))
    }

    @Test func piecesOfAnotherFormatAreCountedAsDropped() {
        var joiner = AudioJoiner()
        joiner.append(Data("mp3".utf8), format: .mp3)
        joiner.append(Data([0, 0]), format: pcm22k)
        #expect(joiner.finish()?.audio == Data("mp3".utf8))
        #expect(joiner.droppedPieces == 1)
    }

    @Test func nothingReceivedIsNil() {
        #expect(AudioJoiner().finish() == nil)
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
