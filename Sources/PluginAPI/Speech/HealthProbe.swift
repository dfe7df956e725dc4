/// A cheap "are you there and answering?" check, used by `clawmux check` and health monitoring.
public protocol HealthProbe: Sendable {
    /// Returns a short detail on success (e.g. "3 models"); throws a readable error otherwise.
    func probe() async throws -> String
}
