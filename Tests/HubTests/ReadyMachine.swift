import Foundation
@testable import Hub

/// A session machine whose agent started and whose bridge (ours) finished its MCP handshake,
/// with turn tags "x1", "x2", …: where the prompt, reply and permission tests begin.
func readyMachine(bridge: UUID, at start: Date, _ configure: (inout SessionMachine.Configuration) -> Void = { _ in }) -> SessionMachine {
    var configuration = SessionMachine.Configuration(turnTagPrefix: "x")
    configure(&configuration)
    var session = SessionMachine(configuration: configuration, label: "Sky", voice: "sky", speed: 1, now: start)
    _ = session.handle(.agentSpawned, now: start)
    _ = session.handle(.bridgeAttached(bridge, reportsHandshake: true), now: start)
    _ = session.handle(.bridge(.agentReady, from: bridge), now: start)
    return session
}
