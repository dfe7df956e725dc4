import Foundation
import WireJSON
import PluginAPI

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
              let json = JSONValue.decode(bytes: data), case .object = json else {
            throw PiperModelError("cannot read the voice's config \(configPath) (the .onnx.json next to the model)")
        }
        guard let rate = json["audio"]?["sample_rate"]?.intValue, rate > 0 else {
            throw PiperModelError("\(configPath) has no audio.sample_rate")
        }
        let scale = json["inference"]?["length_scale"]?.doubleValue ?? 1
        return PiperModel(modelPath: model, configPath: configPath, sampleRate: rate, lengthScale: scale > 0 ? scale : 1)
    }
}

struct PiperModelError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
