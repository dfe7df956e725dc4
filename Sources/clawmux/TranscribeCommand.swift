import ArgumentParser
import Foundation
import Hub
import PluginAPI
import Plugins

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
        let (format, voice) = (AudioFile.format(ofPath: file), voice)
        do {
            print(try await stack.runInterruptibly { try await stack.router.transcribeFile(audio, format: format, voice: voice) })
        } catch {
            throw ExitMessage("transcribe failed: \(error)")
        }
    }
}
