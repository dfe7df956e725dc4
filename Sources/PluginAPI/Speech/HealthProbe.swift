/// What every backend (engine or spawner) provides: a cheap "are you there and answering?"
/// check, used by `clawmux check` and health monitoring, and an end.
public protocol HealthProbe: Sendable {
    /// Returns a short detail on success (e.g. "3 models"); throws a readable error otherwise.
    func probe() async throws -> String
    /// Releases what the backend holds of its own (child processes, temporary files) when the
    /// hub stops. Most hold nothing: the default does nothing.
    func shutdown() async
}

extension HealthProbe {
    public func shutdown() async {}
}
