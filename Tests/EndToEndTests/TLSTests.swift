import AsyncHTTPClient
import Foundation
import Hub
import NIOCore
import HummingbirdTLS
import Testing
import ClawMuxTesting

/// The optional HTTPS listener: the same hub (token, cookie with Secure) with the config's
/// certificate, next to the plain loopback one the bridges use.
@Suite("TLS")
struct TLSTests {
    /// Trusts the test's self-signed certificate; one client for the test process.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.tlsConfiguration = .makeClientConfiguration()
        configuration.tlsConfiguration?.certificateVerification = .none
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    @Test("HTTPS serves the page and the API with the token, and sets a Secure cookie; plain HTTP keeps working")
    func https() async throws {
        let directory = try TestPaths.temporaryDirectory("tls-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let made = await Blocking.run {
            try? ProcessInspection.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                        "-days", "1", "-subj", "/CN=127.0.0.1"])
        }
        #expect(made?.status == 0, "\(made?.output ?? "")")
        let port = try FreePort.pick()
        let hub = try await HubProcess.start(
            name: "tls", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9",
            serverLines: ["tls: {cert: \"\(cert)\", key: \"\(key)\", port: \(port)}"])
        defer { hub.stop() }

        let client = Self.client
        func get(_ path: String, token: String? = nil) async throws -> HTTPClientResponse {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            return try await client.execute(request, timeout: .seconds(30))
        }
        #expect(try await get("/healthz").status.code == 200)
        #expect(try await get("/api/sessions").status.code == 401)
        #expect(try await get("/api/sessions", token: hub.token).status.code == 200)
        let page = try await get("/?token=\(hub.token)")
        #expect(page.status.code == 303)
        #expect(page.headers["set-cookie"].first?.contains("Secure") == true)
        #expect(try await hub.rest.get("/api/sessions").status == 200, "the plain listener still answers")
    }
}
