#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginAPI

/// Any audio as 16-bit mono PCM, decoded with ffmpeg (argv only; the audio on stdin, PCM on
/// stdout). Used for recordings an engine needs as PCM and to join speech from engines with
/// different encodings.
public enum AudioDecoding {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func pcm16(_ audio: Data, format: AudioFormat, sampleRate: Int, timeout: Duration = .seconds(30)) async throws -> Data {
        let process: ChildProcess
        do {
            var argv = ["ffmpeg", "-hide_banner", "-loglevel", "error"]
            if let layout = format.pcmLayout {
                // Raw PCM has no header: say what it is.
                argv += ["-f", "s16le", "-ar", "\(layout.sampleRate)", "-ac", "\(layout.channels)"]
            }
            argv += ["-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "\(sampleRate)", "pipe:1"]
            process = try ChildProcess(argv: argv, stdin: .pipe, stdout: .pipe, stderr: .pipe)
        } catch {
            throw Failure(description: "cannot decode \(format) audio: ffmpeg is needed (\(error))")
        }
        guard let input = process.input, let output = process.output, let errors = process.errorOutput else {
            await process.terminate()
            throw Failure(description: "ffmpeg pipes missing")
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
        do {
            return try await withTimeout(timeout) { try await collect(process, output: output, errors: errors, format: format) }
        } catch is TimeoutExceeded {
            throw Failure(description: "ffmpeg took longer than \(timeout) to decode the \(format) audio")
        }
    }

    /// ffmpeg's output and diagnostics until it exits; cancelling kills it.
    private static func collect(_ process: ChildProcess, output: FileHandle, errors: FileHandle, format: AudioFormat) async throws -> Data {
        try await withTaskCancellationHandler {
            async let decoded = collect(PipeReader.chunks(of: output, name: "ffmpeg out"))
            async let diagnostics = collect(PipeReader.chunks(of: errors, name: "ffmpeg err"))
            let (pcm, messages) = await (decoded, diagnostics)
            let termination = await process.waitForExit()
            guard termination == .exited(0), !pcm.isEmpty else {
                let detail = String(decoding: messages.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw Failure(description: "ffmpeg could not decode the \(format) audio (\(termination)): \(detail)")
            }
            return pcm
        } onCancel: {
            process.signalGroup(SIGKILL)
        }
    }

    private static func collect(_ chunks: AsyncStream<Data>) async -> Data {
        var all = Data()
        for await chunk in chunks { all.append(chunk) }
        return all
    }
}
