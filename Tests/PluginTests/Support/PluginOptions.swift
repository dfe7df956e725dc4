import ClawMuxTesting
import Foundation
import Logging
import PluginAPI

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
