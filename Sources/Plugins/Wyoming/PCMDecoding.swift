import Foundation
import PluginAPI

/// Any recording as 16-bit PCM: PCM passes, WAV is unpacked, the rest goes through ffmpeg
/// (argv only; the audio on stdin, 16 kHz mono PCM on stdout).
enum PCMDecoding {
    static func decode(_ audio: Data, format: AudioFormat, engine: String) async throws -> (pcm: Data, rate: Int, channels: Int) {
        if let layout = format.pcmLayout { return (audio, layout.sampleRate, layout.channels) }
        if audio.starts(with: Array("RIFF".utf8)) {
            var decoder = WAVStreamDecoder()
            if let pcm = try? decoder.feed(audio), let layout = decoder.format?.pcmLayout {
                return (pcm, layout.sampleRate, layout.channels)
            }
        }
        return (try await ffmpeg(audio, engine: engine), 16000, 1)
    }

    private static func ffmpeg(_ audio: Data, engine: String) async throws -> Data {
        let process: ChildProcess
        do {
            process = try ChildProcess(
                argv: ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "16000", "pipe:1"],
                stdin: .pipe, stdout: .pipe, stderr: .pipe)
        } catch {
            throw SpeechError.badResponse(engine: engine, detail: "cannot decode the recording: ffmpeg is needed (\(error))")
        }
        guard let input = process.input, let output = process.output, let errors = process.errorOutput else {
            throw SpeechError.badResponse(engine: engine, detail: "ffmpeg pipes missing")
        }
        // Write on a thread of its own: ffmpeg reads and writes at once, and a full pipe blocks.
        let writer = Thread {
            audio.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                var offset = 0
                while offset < bytes.count {
                    let written = write(input.fileDescriptor, base + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
            try? input.close()
        }
        writer.start()
        async let decoded = collect(PipeReader.chunks(of: output, name: "ffmpeg out"))
        async let diagnostics = collect(PipeReader.chunks(of: errors, name: "ffmpeg err"))
        let (pcm, messages) = await (decoded, diagnostics)
        let termination = await process.waitForExit()
        guard termination == .exited(0), !pcm.isEmpty else {
            let detail = String(decoding: messages.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SpeechError.badResponse(engine: engine, detail: "ffmpeg could not decode the recording (\(termination)): \(detail)")
        }
        return pcm
    }

    private static func collect(_ chunks: AsyncStream<Data>) async -> Data {
        var all = Data()
        for await chunk in chunks { all.append(chunk) }
        return all
    }
}
