import Foundation
import PluginAPI
import PluginRuntime

/// Reading and writing audio files for `say` and `transcribe`.
enum AudioFile {
    static func format(ofPath path: String) -> AudioFormat {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "wav": .wav
        case "mp3": .mp3
        case "webm": .webm
        case "ogg", "opus": .ogg
        case "flac": .flac
        case "m4a", "mp4": AudioFormat(mimeType: "audio/mp4")
        default: AudioFormat(mimeType: "application/octet-stream")
        }
    }

    /// Writes `audio`; when the file's extension asks for another format, ffmpeg converts it.
    static func write(_ audio: Data, format: AudioFormat, to path: String) async throws {
        let wanted = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard !wanted.isEmpty, wanted != format.fileExtension else {
            try save(audio, to: path)
            return
        }
        let source = path + ".source." + format.fileExtension
        try save(audio, to: source)
        defer { try? FileManager.default.removeItem(atPath: source) }
        let result: ChildProcess.Output
        do {
            result = try await ChildProcess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", source, path])
        } catch {
            throw ExitMessage("the engine speaks \(format.mimeType); converting to .\(wanted) needs ffmpeg (\(error))")
        }
        guard result.succeeded else {
            throw ExitMessage("ffmpeg could not convert \(format.mimeType) to .\(wanted) (\(result.termination)): \(result.standardError.prefix(300))")
        }
    }

    private static func save(_ audio: Data, to path: String) throws {
        do {
            try audio.write(to: URL(fileURLWithPath: path))
        } catch {
            throw ExitMessage("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
