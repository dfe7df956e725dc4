import ArgumentParser
import Foundation
import Logging
import PluginAPI
import Plugins

/// `clawmux-bench piper`: how long the piper plugin takes for a short sentence once its
/// process is warm (the hub keeps one per voice model), from the request to the last byte.
struct PiperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "piper", abstract: "Time a short sentence through the piper plugin, warm.")

    @Option(help: "The piper executable (e.g. .venv/bin/piper).")
    var piper: String = ".venv/bin/piper"
    @Option(help: "The voice model (.onnx).")
    var model: String = "engines/piper/en_US-joe-medium.onnx"
    @Option(help: "Timed runs after the warm-up.")
    var runs: Int = 10
    @Option(help: "The sentence.")
    var text: String = "Sure, I will run the tests now."

    func run() async throws {
        guard let descriptor = PluginTable.all.first(where: { $0.name == "piper" }) else { throw BenchFailure("no piper plugin") }
        let location = ConfigLocation(file: "bench", line: 1, column: 1, keyPath: "backends.piper")
        let options = ["executable": piper, "model": model, "timeout": "60s"]
        let node = ConfigNode(.mapping(options.sorted { $0.key < $1.key }.map {
            (key: $0.key, value: ConfigNode(.scalar($0.value), at: location.child($0.key)))
        }), at: location)
        let logger = Logger(label: "bench-piper", factory: { _ in SwiftLogNoOpLogHandler() })
        guard case .tts(let engine) = try descriptor.make(node, PluginContext(instanceName: "piper", logger: logger)) else {
            throw BenchFailure("piper is not a TTS plugin")
        }
        let timed: (warmUp: Double, times: [Double])
        do {
            timed = try await measure(engine)
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
        let (warmUp, times) = timed
        let summary = BenchResult.Summary(times)
        print(String(format: "piper \"%@\": first (cold) %.0f ms; warm p50 %.0f ms, max %.0f ms (%d runs)",
                     text, warmUp, summary.p50, summary.max, summary.count))
    }

    private func measure(_ engine: any TTSEngine) async throws -> (warmUp: Double, times: [Double]) {
        // The first request starts the process and loads the model.
        let warmStart = ContinuousClock.now
        _ = try await engine.synthesize(.init(text: text, voice: "")).collect()
        let warmUp = BenchRun.milliseconds(ContinuousClock.now - warmStart)
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let started = ContinuousClock.now
            let audio = try await engine.synthesize(.init(text: text, voice: "")).collect()
            guard !audio.isEmpty else { throw BenchFailure("piper returned no audio") }
            times.append(BenchRun.milliseconds(ContinuousClock.now - started))
        }
        return (warmUp, times)
    }
}
