import Foundation
import Logging
import PluginAPI

/// Piper (PyPI `piper-tts`) as a subprocess: one long-lived process per voice model and length
/// scale, so a model is loaded once, not per utterance. Speaks 16-bit PCM at the model's rate.
struct PiperEngine: TTSEngine, ShutdownAware {
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

/// Where a voice model is. Read when first used: a default config that names a model the
/// set-up script has not installed yet still loads, and the engine reports it as down.
struct PiperModelFile: Sendable {
    let model: String

    func load() throws -> PiperModel {
        try PiperModel.load(model: model)
    }
}

/// A voice model and what its `.onnx.json` says about it.
struct PiperModel: Sendable, Hashable {
    let modelPath: String
    let configPath: String
    let sampleRate: Int
    /// The model's own default (`inference.length_scale`); speed divides it.
    let lengthScale: Double

    /// Piper reads the voice's config from next to the model (`MODEL.onnx.json`); so do we.
    static func load(model: String) throws -> PiperModel {
        let configPath = model + ".json"
        guard FileManager.default.isReadableFile(atPath: model) else {
            throw PiperModelError("no Piper voice model at \(model) (scripts/setup-engines.sh installs one)")
        }
        guard let data = FileManager.default.contents(atPath: configPath),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PiperModelError("cannot read the voice's config \(configPath) (the .onnx.json next to the model)")
        }
        guard let rate = ((json["audio"] as? [String: Any])?["sample_rate"] as? NSNumber)?.intValue, rate > 0 else {
            throw PiperModelError("\(configPath) has no audio.sample_rate")
        }
        let scale = ((json["inference"] as? [String: Any])?["length_scale"] as? NSNumber)?.doubleValue ?? 1
        return PiperModel(modelPath: model, configPath: configPath, sampleRate: rate, lengthScale: scale > 0 ? scale : 1)
    }
}

struct PiperModelError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Text as one Piper input line: Piper reads one utterance per line and skips blank ones;
/// a line without letters or digits, or with control characters, crashes it (or leaves a
/// reader waiting for a file that never comes), so control characters go and such text becomes
/// empty; `[[ ]]` (Piper's raw-phoneme syntax) is broken up so an agent's text is only ever read.
enum PiperText {
    static func line(from text: String) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.map {
            CharacterSet.controlCharacters.contains($0) || $0.properties.generalCategory == .format ? " " : $0
        }))
        let flat = printable.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .replacingOccurrences(of: "[[", with: "[ [").replacingOccurrences(of: "]]", with: "] ]")
        guard flat.unicodeScalars.contains(where: { CharacterSet.alphanumerics.contains($0) }) else { return "" }
        return flat
    }
}
