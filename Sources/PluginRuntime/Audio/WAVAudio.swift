import Foundation
import PluginAPI

/// Turns a WAV byte stream into raw PCM: reads the RIFF header as it arrives (a streamed WAV
/// may say its data is 0 or 4 GiB long), then passes the samples through. Browsers play PCM
/// chunks back to back without gaps, and PCM joins into one WAV for clients that want one file.
public struct WAVStreamDecoder: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case notWAV
        case unsupported(String)

        public var description: String {
            switch self {
            case .notWAV: "the engine's audio is not a WAV file"
            case .unsupported(let detail): "unsupported WAV audio: \(detail)"
            }
        }
    }

    private var header = Data()
    /// Known once the `fmt ` chunk is read.
    public private(set) var format: AudioFormat?
    private var inData = false
    /// Sample bytes still to come when the header gave a real size (streams write 0 or 0xFFFFFFFF):
    /// chunks after the samples (`LIST` metadata) are not audio.
    private var remaining: Int?

    /// Returns the PCM bytes contained in `bytes` (none until the header is complete).
    public init() {}

    public mutating func feed(_ bytes: Data) throws -> Data {
        if inData { return take(bytes) }
        header.append(bytes)
        guard header.count >= 12 else { return Data() }
        guard header.prefix(4) == Data("RIFF".utf8), header[header.startIndex + 8 ..< header.startIndex + 12] == Data("WAVE".utf8) else {
            throw Failure.notWAV
        }
        var offset = 12
        while header.count >= offset + 8 {
            let base = header.startIndex + offset
            let id = String(decoding: header[base ..< base + 4], as: UTF8.self)
            let size = Int(Self.uint32(header, at: base + 4))
            if id == "data" {
                guard format != nil else { throw Failure.unsupported("no fmt chunk before the samples") }
                inData = true
                if size > 0 && size < 0xFFFF_FFF0 { remaining = size }
                let samples = Data(header.suffix(from: base + 8))
                header = Data()
                return take(samples)
            }
            guard header.count >= offset + 8 + size else { return Data() }
            if id == "fmt " { format = try Self.pcmFormat(header[base + 8 ..< base + 8 + size]) }
            offset += 8 + size + (size & 1)
        }
        return Data()
    }

    private mutating func take(_ bytes: Data) -> Data {
        guard let left = remaining else { return bytes }
        let kept = bytes.prefix(left)
        remaining = left - kept.count
        return Data(kept)
    }

    private static func pcmFormat(_ chunk: Data) throws -> AudioFormat {
        guard chunk.count >= 16 else { throw Failure.unsupported("short fmt chunk") }
        let start = chunk.startIndex
        let encoding = uint16(chunk, at: start)
        let channels = Int(uint16(chunk, at: start + 2))
        let rate = Int(uint32(chunk, at: start + 4))
        let bits = uint16(chunk, at: start + 14)
        guard (1000...384_000).contains(rate), (1...8).contains(channels) else {
            throw Failure.unsupported("\(rate) Hz, \(channels) channels")
        }
        // 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE, which 16-bit PCM writers also use.
        guard encoding == 1 || encoding == 0xFFFE, bits == 16 else {
            throw Failure.unsupported("encoding \(encoding), \(bits) bits")
        }
        return channels == 1 ? .pcm16(sampleRate: rate) : AudioFormat(mimeType: "audio/pcm;rate=\(rate);channels=\(channels)")
    }

    static func uint16(_ data: Data, at index: Data.Index) -> UInt16 {
        UInt16(data[index]) | UInt16(data[index + 1]) << 8
    }

    static func uint32(_ data: Data, at index: Data.Index) -> UInt32 {
        UInt32(data[index]) | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]) << 16 | UInt32(data[index + 3]) << 24
    }
}

/// Writes 16-bit PCM as a WAV file.
public enum WAVFile {
    public static func wrap(_ pcm: Data, sampleRate: Int, channels: Int = 1) -> Data {
        var file = Data(capacity: 44 + pcm.count)
        func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) } }
        func append16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) } }
        file.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(36 + pcm.count))
        file.append(contentsOf: Array("WAVEfmt ".utf8))
        append(16)
        append16(1)
        append16(UInt16(channels))
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * channels * 2))
        append16(UInt16(channels * 2))
        append16(16)
        file.append(contentsOf: Array("data".utf8))
        append(UInt32(pcm.count))
        file.append(pcm)
        return file
    }
}
