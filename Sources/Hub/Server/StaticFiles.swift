import Foundation
import Hummingbird
import HummingbirdWebSocket

/// Serves regular files from the static directory and nothing else: the path is decoded and
/// checked component by component, and the resolved file must still lie inside the directory.
struct StaticFiles: Sendable {
    let directory: String

    func register(on router: Router<HubRequestContext>) {
        router.get("/") { _, _ in serve("hub.html") }
        // At the root: a service worker controls only what lies under its own path.
        router.get("/sw.js") { _, _ in serve("sw.js") }
        router.get("/manifest.webmanifest") { _, _ in serve("manifest.webmanifest") }
        router.get("/static/**") { request, _ in
            let raw = String(request.uri.path.dropFirst("/static/".count))
            return serve(raw)
        }
    }

    func serve(_ rawPath: String) -> Response {
        guard let file = resolve(rawPath), let data = FileManager.default.contents(atPath: file) else {
            return JSONResponse.error("not found", status: .notFound)
        }
        return Response(
            status: .ok,
            headers: [.contentType: Self.contentType(of: file), .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The absolute path of a regular file inside `directory`, or nil.
    func resolve(_ rawPath: String) -> String? {
        guard let decoded = rawPath.removingPercentEncoding, !decoded.contains("\0") else { return nil }
        let components = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty,
              components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\\") })
        else { return nil }
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let candidate = URL(fileURLWithPath: root + "/" + components.joined(separator: "/")).resolvingSymlinksInPath().path
        guard candidate.hasPrefix(root + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return candidate
    }

    static func contentType(of file: String) -> String {
        switch URL(fileURLWithPath: file).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "webmanifest": "application/manifest+json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "wav": "audio/wav"
        case "mp3": "audio/mpeg"
        default: "application/octet-stream"
        }
    }
}
