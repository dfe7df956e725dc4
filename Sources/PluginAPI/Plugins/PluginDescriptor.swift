import Logging

public enum PluginKind: String, Sendable, CaseIterable {
    case tts, stt, spawner
}

/// A built backend instance, tagged with what it can do.
public enum PluginInstance: Sendable {
    case tts(any TTSEngine)
    case stt(any STTEngine)
    case spawner(any Spawner)

    public var kind: PluginKind {
        switch self {
        case .tts: .tts
        case .stt: .stt
        case .spawner: .spawner
        }
    }
}

/// What a plugin factory gets besides its options.
public struct PluginContext: Sendable {
    /// The backend instance's name in the config (`kokoro`, `local-whisper`, ...).
    public let instanceName: String
    public let logger: Logger
    /// The config file's directory: relative paths in options are taken from here.
    public let baseDirectory: String

    public init(instanceName: String, logger: Logger, baseDirectory: String = ".") {
        self.instanceName = instanceName
        self.logger = logger
        self.baseDirectory = baseDirectory
    }

    /// `path` as given when absolute, else relative to the config file's directory.
    public func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
    }
}

/// One row of the compile-time plugin table: a name the config can use and a factory.
public struct PluginDescriptor: Sendable {
    public let name: String
    public let kind: PluginKind
    /// One line for `clawmux check` and error messages.
    public let summary: String
    /// Builds an instance from its options; throws `ConfigError` for bad options.
    public let make: @Sendable (_ options: ConfigNode, _ context: PluginContext) throws -> PluginInstance

    public init(
        name: String, kind: PluginKind, summary: String,
        make: @escaping @Sendable (_ options: ConfigNode, _ context: PluginContext) throws -> PluginInstance
    ) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.make = make
    }
}
