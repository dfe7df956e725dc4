import Foundation
import PluginAPI
import PluginRuntime

/// Any recording as 16-bit PCM for Wyoming: PCM passes, WAV is unpacked, the rest goes through
/// ffmpeg at 16 kHz mono.
enum PCMDecoding {
    static func decode(_ audio: Data, format: AudioFormat) async throws -> (pcm: Data, rate: Int, channels: Int) {
        if let layout = format.pcmLayout { return (audio, layout.sampleRate, layout.channels) }
        if audio.starts(with: Array("RIFF".utf8)) {
            var decoder = WAVStreamDecoder()
            if let pcm = try? decoder.feed(audio), let layout = decoder.format?.pcmLayout {
                return (pcm, layout.sampleRate, layout.channels)
            }
        }
        return (try await AudioDecoding.pcm16(audio, format: format, sampleRate: 16000), 16000, 1)
    }
}
