import PluginAPI
import PluginRuntime

/// One probe of one backend instance, bounded by a timeout: the same check for `clawmux check`,
/// the hub's periodic health monitor and a launched engine's start-up.
public struct BackendProbe: Sendable {
    public struct Outcome: Sendable {
        public let healthy: Bool
        public let detail: String
        public let latency: Duration
    }

    public static func run(_ probe: any HealthProbe, name: String, timeout: Duration) async -> Outcome {
        let started = ContinuousClock.now
        let result: Result<String, any Error>
        do {
            result = .success(try await withTimeout(timeout) { try await probe.probe() })
        } catch is TimeoutExceeded {
            result = .failure(SpeechError.timedOut(engine: name, after: timeout))
        } catch {
            result = .failure(error)
        }
        let latency = ContinuousClock.now - started
        switch result {
        case .success(let detail): return Outcome(healthy: true, detail: detail, latency: latency)
        case .failure(let error): return Outcome(healthy: false, detail: "\(error)", latency: latency)
        }
    }
}
