import Hummingbird

/// Who may use the hub: a request carries the token (`Authorization: Bearer`, the
/// `clawmux_token` cookie the hub sets, or `?token=`), and a browser WebSocket comes from the
/// hub's own page (or an allowed origin). Tokens are compared in constant time.
struct AccessPolicy: Sendable {
    static let cookieName = "clawmux_token"

    /// nil: `auth: none`.
    let token: String?
    let allowedOrigins: Set<String>
    /// Set on the cookie when the hub serves HTTPS.
    var secureCookie: Bool

    func isAuthorized(_ request: Request) -> Bool {
        guard let token else { return true }
        return presentedTokens(request).contains { ConstantTime.equals($0, token) }
    }

    /// The `?token=` of this request when it is the right one (then the hub sets the cookie).
    func validQueryToken(_ request: Request) -> String? {
        guard let token, let query = request.uri.queryParameters["token"].map(String.init),
              ConstantTime.equals(query, token) else { return nil }
        return query
    }

    /// A request without Origin (a script, the bridge) is judged by its token alone; a browser
    /// always sends one, and only the hub's own pages (or allowed ones) may connect.
    func originAllowed(_ request: Request) -> Bool {
        // Every Origin header counts: a request with two must not pass on the harmless one.
        request.headers[values: .origin].allSatisfy { origin in
            if allowedOrigins.contains(origin) { return true }
            // Pages have http(s) origins; a ws:// "origin" comes from a non-browser client (some
            // WebSocket libraries send one), which cannot be a page's script: its token decides.
            if origin.hasPrefix("ws://") || origin.hasPrefix("wss://") { return true }
            guard let host = request.head.authority else { return false }
            return origin == "http://\(host)" || origin == "https://\(host)"
        }
    }

    func cookie(for token: String) -> String {
        "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
    }

    private func presentedTokens(_ request: Request) -> [String] {
        var tokens: [String] = []
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            tokens.append(String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
        }
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == Self.cookieName { tokens.append(parts[1]) }
            }
        }
        if let query = request.uri.queryParameters["token"] { tokens.append(String(query)) }
        return tokens
    }
}
