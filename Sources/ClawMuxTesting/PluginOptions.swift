import Logging
import PluginAPI

/// Builds plugin instances the way the hub does, from option mappings written as Swift dictionaries.
public enum PluginOptions {
    public static func node(_ options: [String: String]) -> ConfigNode {
        let location = ConfigLocation(file: "test.yaml", line: 1, column: 1, keyPath: "backends.test")
        let entries = options.sorted { $0.key < $1.key }.map { (key: $0.key, value: ConfigNode(.scalar($0.value), at: location.child($0.key))) }
        return ConfigNode(.mapping(entries), at: location)
    }

    public static func tts(_ descriptor: PluginDescriptor, _ options: [String: String]) throws -> any TTSEngine {
        guard case .tts(let engine) = try descriptor.make(node(options), PluginContext(instanceName: "test", logger: Logger(label: "test"))) else {
            throw PluginTestFailure("\(descriptor.name) is not a TTS plugin")
        }
        return engine
    }

    public static func stt(_ descriptor: PluginDescriptor, _ options: [String: String]) throws -> any STTEngine {
        guard case .stt(let engine) = try descriptor.make(node(options), PluginContext(instanceName: "test", logger: Logger(label: "test"))) else {
            throw PluginTestFailure("\(descriptor.name) is not an STT plugin")
        }
        return engine
    }
}

public struct PluginTestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
