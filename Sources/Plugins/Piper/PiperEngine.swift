import Foundation
import Logging
import PluginAPI

/// Piper (PyPI `piper-tts`) as a subprocess: one long-lived process per voice model and length
/// scale, so a model is loaded once, not per utterance. Speaks 16-bit PCM at the model's rate.
struct PiperEngine: TTSEngine, ShutdownAware {
    let pool: PiperPool
    let defaultModel: PiperModel
    /// Extra models, chosen by the link's voice name.
    let models: [String: PiperModel]

    static let descriptor = PluginDescriptor(
        name: "piper", kind: .tts, summary: "Piper text to speech as a local subprocess (voice model .onnx + .onnx.json)"
    ) { options, context in
        try options.rejectUnknownKeys(allowed: ["executable", "model", "config", "models", "speaker", "timeout", "max_processes"])
        let executable = try options.optional("executable").map { context.resolvePath(try $0.stringValue()) } ?? "piper"
        let modelNode = try options.required("model")
        let defaultModel = try PiperModel.load(
            model: context.resolvePath(try modelNode.stringValue()),
            config: try options.optional("config").map { context.resolvePath(try $0.stringValue()) }, at: modelNode.location)
        var models: [String: PiperModel] = [:]
        for (name, node) in try options.optional("models")?.entries() ?? [] {
            models[name] = try PiperModel.load(model: context.resolvePath(try node.stringValue()), config: nil, at: node.location)
        }
        let pool = PiperPool(
            executable: executable, speaker: try options.optional("speaker")?.intValue(in: 0...10_000),
            timeout: try options.optional("timeout")?.durationValue() ?? .seconds(30),
            maxProcesses: try options.optional("max_processes")?.intValue(in: 1...16) ?? 3,
            name: context.instanceName, logger: context.logger)
        return .tts(PiperEngine(pool: pool, defaultModel: defaultModel, models: models))
    }

    func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio {
        let model = models[request.voice] ?? defaultModel
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
        try await pool.probe(defaultModel)
    }
}

/// A voice model and what its `.onnx.json` says about it.
struct PiperModel: Sendable, Hashable {
    let modelPath: String
    let configPath: String
    let sampleRate: Int
    /// The model's own default (`inference.length_scale`); speed divides it.
    let lengthScale: Double

    static func load(model: String, config: String?, at location: ConfigLocation) throws -> PiperModel {
        let configPath = config ?? model + ".json"
        guard FileManager.default.isReadableFile(atPath: model) else {
            throw ConfigError(at: location, "no Piper voice model at \(model)")
        }
        guard let data = FileManager.default.contents(atPath: configPath),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError(at: location, "cannot read the voice's config \(configPath) (the .onnx.json next to the model)")
        }
        guard let rate = ((json["audio"] as? [String: Any])?["sample_rate"] as? NSNumber)?.intValue, rate > 0 else {
            throw ConfigError(at: location, "\(configPath) has no audio.sample_rate")
        }
        let scale = ((json["inference"] as? [String: Any])?["length_scale"] as? NSNumber)?.doubleValue ?? 1
        return PiperModel(modelPath: model, configPath: configPath, sampleRate: rate, lengthScale: scale > 0 ? scale : 1)
    }
}

/// Text as one Piper input line: Piper reads one utterance per line and skips blank ones,
/// and writes no file at all for a line without letters or digits (a reader waiting for
/// it would hang), so such text becomes empty here.
enum PiperText {
    static func line(from text: String) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        guard flat.unicodeScalars.contains(where: { CharacterSet.alphanumerics.contains($0) }) else { return "" }
        return flat
    }
}
