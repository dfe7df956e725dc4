import Hummingbird
import WireJSON

/// The user's side of permission requests (under `/api`, so the user's token guards it):
/// what a session's agent waits for, and the decisions. A request id is looked up in the named
/// session only: a decision for another session's request is unknown there.
struct PermissionRoutes: Sendable {
    let sessions: SessionManager

    func register(on router: Router<HubRequestContext>) {
        router.get("/api/sessions/{id}/permissions") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let session = await sessions.session(id) else {
                return JSONResponse.error("no session '\(id)'", status: .notFound)
            }
            return JSONResponse.make(.array(await session.pendingPermissions.map(\.json)))
        }
        router.post("/api/sessions/{id}/permissions/{request}") { request, context in
            let id = context.parameters.get("id") ?? ""
            let requestID = context.parameters.get("request") ?? ""
            let choices = PermissionDecision.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            guard let body = try? await request.body.collect(upTo: 4096), let text = JSONValue.decode(String(buffer: body))?["decision"]?.stringValue,
                  let decision = PermissionDecision(rawValue: text) else {
                return JSONResponse.error("expected a JSON body like {\"decision\": \"allow\"} (one of \(choices))", status: .badRequest)
            }
            guard let session = await sessions.session(id) else {
                return JSONResponse.error("no session '\(id)'", status: .notFound)
            }
            do throws(Session.PermissionDecisionError) {
                try await session.decidePermission(requestID, decision)
                return JSONResponse.make(.object(["request_id": .string(requestID), "decision": .string(decision.rawValue)]))
            } catch .unknown {
                return JSONResponse.error("session '\(id)' has no permission request '\(requestID)'", status: .notFound)
            } catch {
                return JSONResponse.error("permission request '\(requestID)' was already decided", status: .conflict)
            }
        }
    }
}
