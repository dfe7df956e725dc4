import Foundation
import Logging
import PluginAPI

/// Builds plugin instances the way the hub does, from option mappings written as Swift dictionaries.
enum PluginOptions {
    static func node(_ options: [String: String]) -> ConfigNode {
        let location = ConfigLocation(file: "test.yaml", line: 1, column: 1, keyPath: "backends.test")
        let entries = options.sorted { $0.key < $1.key }.map { (key: $0.key, value: ConfigNode(.scalar($0.value), at: location.child($0.key))) }
        return ConfigNode(.mapping(entries), at: location)
    }

    static func tts(_ descriptor: PluginDescriptor, _ options: [String: String]) throws -> any TTSEngine {
        guard case .tts(let engine) = try descriptor.make(node(options), PluginContext(instanceName: "test", logger: Logger(label: "test"))) else {
            throw PluginTestFailure("\(descriptor.name) is not a TTS plugin")
        }
        return engine
    }

    static func stt(_ descriptor: PluginDescriptor, _ options: [String: String]) throws -> any STTEngine {
        guard case .stt(let engine) = try descriptor.make(node(options), PluginContext(instanceName: "test", logger: Logger(label: "test"))) else {
            throw PluginTestFailure("\(descriptor.name) is not an STT plugin")
        }
        return engine
    }
}

struct PluginTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Where scripts/test.sh says the real engines are.
enum RealPiper {
    static var executable: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_PIPER"] }
    static var model: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_PIPER_MODEL"] }
    static var available: Bool { executable != nil && model != nil }
}

extension SpeechAudio {
    /// Seconds of 16-bit mono PCM.
    func pcmSeconds() async throws -> (seconds: Double, bytes: Data) {
        let pcm = try await collect()
        let rate = Double(format.pcmLayout?.sampleRate ?? 1)
        return (Double(pcm.count) / 2 / rate, pcm)
    }
}

/// Fixture files in Tests/Fixtures.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}
