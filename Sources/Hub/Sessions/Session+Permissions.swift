import Foundation
import PluginRuntime

extension Session {
    /// The agent's `PermissionRequest` hook: pending until decided, timed out, withdrawn or
    /// the session ends. Returns how it ended, for the hook to tell the agent.
    func askPermission(_ ask: AgentHookPayload.PermissionAsk) async -> PermissionOutcome {
        let request = PermissionRequest(
            id: "p" + RandomToken.hex(bytes: 6), tool: ask.tool, detail: ask.detail, askedAt: Date(), suggestions: ask.suggestions)
        await handle(.permissionAsked(request, input: ask.input))
        // The outcome may already be in (the session ended, or a fast tap while the event was announced).
        if let outcome = permissionOutcomes.removeValue(forKey: request.id) { return outcome }
        return await withCheckedContinuation { permissionWaiters[request.id] = $0 }
    }

    enum PermissionDecisionError: Error, Equatable {
        case unknown
        case alreadyDecided
    }

    /// A decision from the page or REST: for this session's pending requests only.
    func decidePermission(_ id: String, _ decision: PermissionDecision) async throws(PermissionDecisionError) {
        switch machine.permissions.lookup(id) {
        case .unknown: throw .unknown
        case .settled: throw .alreadyDecided
        case .pending: await handle(.permissionDecided(id: id, decision, by: .user))
        }
    }

    var pendingPermissions: [PermissionRequest] { machine.permissions.pending }

    func startPermissionClock(_ request: PermissionRequest, timeout: Duration) {
        permissionClocks[request.id] = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self.handle(.permissionTimedOut(id: request.id))
        }
    }

    func settled(_ request: PermissionRequest, _ outcome: PermissionOutcome) {
        permissionClocks.removeValue(forKey: request.id)?.cancel()
        if let waiter = permissionWaiters.removeValue(forKey: request.id) {
            waiter.resume(returning: outcome)
        } else {
            permissionOutcomes[request.id] = outcome
        }
    }
}
