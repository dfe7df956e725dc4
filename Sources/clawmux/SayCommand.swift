import ArgumentParser
import Foundation
import Hub
import PluginAPI
import Plugins

/// `clawmux say --voice ID "text" -o out.wav`: the text through the voice's engine chain, as the
/// hub would speak it.
struct SayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "say", abstract: "Speak a text with a configured voice (its engine chain, with failover) into a file.")

    @OptionGroup var common: CommonOptions

    @Option(help: "A voice id of the config (default: the first voice).")
    var voice: String?

    @Option(help: "Speed, 0.5 to 2.0.")
    var speed: Double = 1.0

    @Option(name: .shortAndLong, help: "Output file: .wav or .mp3 (converted with ffmpeg when the engine speaks the other).")
    var output: String

    @Argument(help: "What to say.")
    var text: String

    func run() async throws {
        let logger = common.bootstrapLogging(label: "clawmux.say")
        let config = try common.loadConfig()
        guard (0.5...2.0).contains(speed) else { throw ExitMessage("--speed must be between 0.5 and 2.0") }
        let stack: SpeechStack
        do {
            stack = try SpeechStack(config: config, plugins: PluginTable.all, logger: logger)
        } catch {
            throw ExitMessage("\(error)")
        }
        let voiceID = voice ?? config.voices[0].id
        let result: Result<(audio: Data, format: AudioFormat), any Error>
        do {
            result = .success(try await stack.router.speakToFile(text, voice: voiceID, speed: speed))
        } catch {
            result = .failure(error)
        }
        await stack.stop()
        let (audio, format) = try result.mapError { ExitMessage("say failed: \($0)") }.get()
        try AudioFile.write(audio, format: format, to: output)
        print("wrote \(output) (\(format.mimeType), \(audio.count) bytes)")
    }
}

/// `clawmux transcribe FILE`: a recording through the STT chain, the text on stdout.
struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe", abstract: "Transcribe a recording with the configured STT chain (with failover).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Use this voice's STT chain and language, if it has its own.")
    var voice: String?

    @Argument(help: "A recording: .wav, .mp3, .webm, .ogg, .flac or .m4a.")
    var file: String

    func run() async throws {
        let logger = common.bootstrapLogging(label: "clawmux.transcribe")
        let config = try common.loadConfig()
        guard let audio = FileManager.default.contents(atPath: file) else { throw ExitMessage("cannot read \(file)") }
        let stack: SpeechStack
        do {
            stack = try SpeechStack(config: config, plugins: PluginTable.all, logger: logger)
        } catch {
            throw ExitMessage("\(error)")
        }
        let result: Result<String, any Error>
        do {
            result = .success(try await stack.router.transcribeFile(audio, format: AudioFile.format(ofPath: file), voice: voice))
        } catch {
            result = .failure(error)
        }
        await stack.stop()
        print(try result.mapError { ExitMessage("transcribe failed: \($0)") }.get())
    }
}
