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
        let (text, speed) = (text, speed)
        let audio: Data, format: AudioFormat
        do {
            (audio, format) = try await stack.runInterruptibly { try await stack.router.speakToFile(text, voice: voiceID, speed: speed) }
        } catch {
            throw ExitMessage("say failed: \(error)")
        }
        try await AudioFile.write(audio, format: format, to: output)
        print("wrote \(output) (\(format.mimeType), \(audio.count) bytes)")
    }
}
