import Logging
import PluginAPI

/// Everything speech needs, built from a config: the backend instances, the engines the hub
/// launches, their health, and the router over them. Shared by the server and `clawmux say|transcribe`.
public struct SpeechStack: Sendable {
    public let registry: BackendRegistry
    public let supervisors: EngineSupervisors
    public let health: BackendHealth
    public let router: SpeechRouter

    public init(config: HubConfig, plugins: [PluginDescriptor], logger: Logger) throws {
        registry = try BackendRegistry(config: config, plugins: plugins, logger: logger)
        supervisors = EngineSupervisors(registry: registry, stateDirectory: config.server.stateDirectory, logger: logger)
        health = BackendHealth(registry: registry, supervisors: supervisors, settings: config.health, logger: logger)
        router = SpeechRouter(config: config, registry: registry, health: health, supervisors: supervisors, logger: logger)
    }

    /// Starts the engines launched at start-up; then keeps probing every backend until cancelled.
    public func run() async {
        await supervisors.startAtStartup(registry)
        await health.monitor()
    }

    /// Stops every engine the hub launched, and the subprocesses of engines that have some.
    public func stop() async {
        await health.stopMonitoring()
        await registry.shutdownEngines()
        await supervisors.stopAll()
    }
}
