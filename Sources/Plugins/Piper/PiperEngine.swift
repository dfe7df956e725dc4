import Foundation
import Logging
import PluginAPI
import PluginRuntime

/// Piper (PyPI `piper-tts`) as a subprocess: one long-lived process per voice model and length
/// scale, so a model is loaded once, not per utterance. Speaks 16-bit PCM at the model's rate.
struct PiperEngine: TTSEngine {
    let pool: PiperPool
    let defaultModel: PiperModelFile
    /// Extra models, chosen by the link's voice name.
    let models: [String: PiperModelFile]

    static let descriptor = PluginDescriptor(
        name: "piper", kind: .tts, summary: "Piper text to speech as a local subprocess (voice model .onnx + .onnx.json)"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["executable", "model", "models", "speaker", "timeout", "max_processes"])
        let executable = try options.optional("executable").map { context.resolvePath(try $0.stringValue()) } ?? "piper"
        let defaultModel = PiperModelFile(model: context.resolvePath(try options.required("model").stringValue()))
        var models: [String: PiperModelFile] = [:]
        for (name, node) in try options.optional("models")?.entries() ?? [] {
            models[name] = PiperModelFile(model: context.resolvePath(try node.stringValue()))
        }
        let pool = PiperPool(
            executable: executable, speaker: try options.optional("speaker")?.intValue(in: 0...10_000),
            timeout: try options.optional("timeout")?.durationValue() ?? .seconds(30),
            maxProcesses: try options.optional("max_processes")?.intValue(in: 1...16) ?? 3,
            name: context.instanceName, logger: context.logger)
        return .tts(PiperEngine(pool: pool, defaultModel: defaultModel, models: models))
    }

    func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio {
        let model = try (models[request.voice] ?? defaultModel).load()
        let line = PiperText.line(from: request.text)
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        // Piper writes nothing for text without letters or digits; there is nothing to say.
        guard !line.isEmpty else {
            continuation.finish()
            return SpeechAudio(format: .pcm16(sampleRate: model.sampleRate), chunks: chunks)
        }
        let speed = request.speed.isFinite && request.speed > 0 ? request.speed : 1
        let wav = try await pool.speak(line, model: model, lengthScale: model.lengthScale / speed)
        var decoder = WAVStreamDecoder()
        let pcm = try decoder.feed(wav)
        continuation.yield(pcm)
        continuation.finish()
        return SpeechAudio(format: decoder.format ?? .pcm16(sampleRate: model.sampleRate), chunks: chunks)
    }

    func shutdown() async {
        await pool.stopAll()
    }

    /// The default model's process is alive (started, and warmed up, if it was not).
    func probe() async throws -> String {
        try await pool.probe(try defaultModel.load())
    }
}
