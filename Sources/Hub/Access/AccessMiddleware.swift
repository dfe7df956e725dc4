import Hummingbird
import HummingbirdWebSocket

/// REST needs the token; the page may be opened with `?token=…` once: the hub then sets an
/// HttpOnly, SameSite=Strict cookie and (for the page itself) redirects to the clean URL, so the
/// token does not stay in the address bar. Static files and `/healthz` are open.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let policy: AccessPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/api/"), !policy.isAuthorized(request) {
            context.logger.warning("refused request without a valid token", metadata: ["path": "\(path)"])
            return JSONResponse.error(
                "a valid token is needed: open the URL the hub printed at start (…/?token=…) or send Authorization: Bearer <token>",
                status: .unauthorized)
        }
        guard let token = policy.validQueryToken(request) else {
            return try await next(request, context)
        }
        var response: Response
        if path == "/" && request.method == .get {
            response = Response(status: .seeOther, headers: [.location: "/"])
        } else {
            response = try await next(request, context)
        }
        response.headers[values: .setCookie].append(policy.cookie(for: token))
        return response
    }
}
