/// A cheap "are you there and answering?" check, used by `clawmux check` and health monitoring.
public protocol HealthProbe: Sendable {
    /// Returns a short detail on success (e.g. "3 models"); throws a readable error otherwise.
    func probe() async throws -> String
}

/// An engine that holds resources of its own (child processes, temporary files) and must
/// release them when the hub stops.
public protocol ShutdownAware: Sendable {
    func shutdown() async
}
