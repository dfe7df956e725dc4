import Hummingbird
import WireJSON

/// `POST /hooks/{id}`: what a session's agent reports about itself (Claude Code's hooks, sent by
/// `clawmux-mcp hook`). Outside `/api`: only the session's own secret opens it (the user's token
/// does not, nor another session's). Bounded; a payload the hub cannot read changes nothing.
struct HookRoutes: Sendable {
    let sessions: SessionManager

    static let maxBodyBytes = 256 << 10

    func register(on router: Router<HubRequestContext>) {
        router.post("/hooks/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard let session = await sessions.session(id) else {
                return JSONResponse.error("no session '\(id)'", status: .notFound)
            }
            guard let token = BridgeSocket.bearer(request.headers[.authorization]), ConstantTime.equals(token, session.secret) else {
                context.logger.warning("refused a hook report without the session's secret", metadata: ["session": "\(id)"])
                return JSONResponse.error("only the session's own secret may report for it", status: .unauthorized)
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maxBodyBytes)
            } catch {
                return JSONResponse.error("the hook payload is larger than \(Self.maxBodyBytes) bytes", status: .contentTooLarge)
            }
            guard let payload = JSONValue.decode(bytes: body.readableBytesView) else {
                return JSONResponse.error("the hook payload is not JSON", status: .badRequest)
            }
            do {
                if let ask = try AgentHookPayload.permissionAsk(from: payload) {
                    return await Self.permission(ask, session: session)
                }
                if let report = try AgentHookPayload.report(from: payload) { await session.agentReported(report) }
            } catch {
                return JSONResponse.error("\(error)", status: .badRequest)
            }
            return JSONResponse.make(.object([:]))
        }
    }

    /// The hook waits here for the user; its answer is what Claude Code reads on the hook's
    /// stdout (`{}`: no decision, the agent's own dialog stays).
    static func permission(_ ask: AgentHookPayload.PermissionAsk, session: Session) async -> Response {
        let outcome = await session.askPermission(ask)
        return JSONResponse.make(ClaudePermissionReply.json(outcome, suggestions: ask.suggestions) ?? .object([:]))
    }
}
