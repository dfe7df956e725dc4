import Foundation
@testable import Hub
import Logging
import PluginAPI
import Plugins
import Testing

/// Small configs for the config, registry and router tests, written as lines so that the line an
/// error should name can be counted.
enum TestConfig {
    /// Lines 1-7: one TTS backend (`kokoro`, plugin on line 3, url on line 4) and one STT backend (`whisper`).
    static let backendLines = [
        "backends:",
        "  kokoro:",
        "    plugin: kokoro-http",
        "    url: http://127.0.0.1:8880",
        "  whisper:",
        "    plugin: whisper-http",
        "    url: http://127.0.0.1:8000",
    ]
    /// Lines 8-9 of `validLines`.
    static let voiceLines = [
        "voices:",
        "  af_sky: {backend: kokoro, label: Sky}",
    ]
    /// Lines 10-11 of `validLines`.
    static let sttLines = [
        "stt:",
        "  backend: whisper",
    ]
    /// A complete, valid config of 11 lines.
    static let validLines = backendLines + voiceLines + sttLines

    static let file = "test.yaml"

    /// The repository's own `config.yaml`: this file is `<root>/Tests/HubTests/TestConfig.swift`.
    static let repoConfigURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("config.yaml")

    static func yaml(_ lines: [String]) -> String {
        lines.joined(separator: "\n") + "\n"
    }

    static func parse(_ lines: [String], environment: [String: String] = [:]) throws -> HubConfig {
        try HubConfig.parse(yaml: yaml(lines), file: file, environment: environment)
    }

    /// With the real plugin table: the registry tests check the shipped config and the plugins'
    /// own option errors as the hub reports them (everything else uses ClawMuxTesting's fakes).
    static func registry(_ config: HubConfig) throws -> BackendRegistry {
        try BackendRegistry(config: config, plugins: PluginTable.all, logger: Logger(label: "test"))
    }

    /// The `ConfigError` parsing `lines` throws; records an issue when it throws none.
    static func parseError(
        _ lines: [String], environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ConfigError {
        try #require(throws: ConfigError.self, sourceLocation: sourceLocation) {
            try TestConfig.parse(lines, environment: environment)
        }
    }

    /// The `ConfigError` building the backends of `lines` throws (the config itself must parse).
    static func registryError(_ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ConfigError {
        let config = try TestConfig.parse(lines)
        return try #require(throws: ConfigError.self, sourceLocation: sourceLocation) {
            try TestConfig.registry(config)
        }
    }
}
