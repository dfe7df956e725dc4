import Foundation
import Hub
import HTTPTypes
import Testing
import ClawMuxTesting

/// Who gets in: REST and the browser WebSocket need the hub's token (Bearer, the cookie set by
/// `?token=`), browser WebSockets must come from the hub's own page, and `auth: none` is for
/// loopback only.
@Suite("Access")
struct AccessTests {
    @Test("REST needs the token; /healthz and the page do not")
    func rest() async throws {
        let hub = try await HubProcess.start(name: "access-rest", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9")
        defer { hub.stop() }
        let anonymous = REST(baseURL: hub.baseURL)
        for path in ["/api/sessions", "/api/voices", "/api/backends"] {
            let reply = try await anonymous.get(path)
            #expect(reply.status == 401, "\(path)")
            #expect(reply.json?["error"]?.stringValue?.contains("token") == true)
        }
        #expect(try await anonymous.post("/api/sessions").status == 401, "nothing is started without the token")
        #expect(try await REST(baseURL: hub.baseURL, token: "wrong-token-0123456789").get("/api/sessions").status == 401)
        #expect(try await hub.rest.get("/api/sessions").status == 200)
        #expect(try await anonymous.get("/healthz").status == 200)
        #expect(try await anonymous.get("/static/hub.html").status == 200)
    }

    @Test("?token= on the page sets an HttpOnly SameSite=Strict cookie and leaves the address bar clean; the cookie works")
    func cookie() async throws {
        let hub = try await HubProcess.start(name: "access-cookie", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9")
        defer { hub.stop() }
        let page = try await REST(baseURL: hub.baseURL).send(.GET, "/?token=\(hub.token)")
        #expect(page.status == 303)
        let cookie = try #require(page.headers["set-cookie"].first)
        #expect(cookie.hasPrefix("clawmux_token=\(hub.token);"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        #expect(page.headers["location"].first == "/")
        let withCookie = try await REST(baseURL: hub.baseURL).send(.GET, "/api/sessions", headers: [("Cookie", "clawmux_token=\(hub.token)")])
        #expect(withCookie.status == 200)
        #expect(try await REST(baseURL: hub.baseURL).send(.GET, "/?token=nope").headers["set-cookie"].isEmpty, "a wrong token sets nothing")
    }

    @Test("the browser WebSocket needs the token and the hub's own origin")
    func webSocket() async throws {
        let hub = try await HubProcess.start(name: "access-ws", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9")
        defer { hub.stop() }
        await #expect(throws: TestFailure.self, "no token") { _ = try await BrowserClient.connect(to: hub.port) }
        await #expect(throws: TestFailure.self, "another site's page, even with the cookie") {
            _ = try await BrowserClient.connect(to: hub.port, headers: [.origin: "http://evil.example", .cookie: "clawmux_token=\(hub.token)"])
        }
        let ownPage = try await BrowserClient.connect(
            to: hub.port, headers: [.origin: "http://127.0.0.1:\(hub.port)", .cookie: "clawmux_token=\(hub.token)"])
        _ = try await ownPage.next("session_list")
        #expect(hub.log.contains("refused browser WebSocket from another origin"))
    }

    @Test("without CLAWMUX_TOKEN a token is generated once, kept with mode 0600 and used again after a restart")
    func generatedToken() async throws {
        let state = try TestPaths.temporaryDirectory("access-state")
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = ["CLAWMUX_TOKEN": "", "CLAWMUX_STATE_DIR": state.path]
        let first = try await HubProcess.start(name: "access-gen", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9", environment: environment)
        let tokenPath = state.appendingPathComponent("token").path
        let token = try String(contentsOfFile: tokenPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count >= 32)
        let mode = try FileManager.default.attributesOfItem(atPath: tokenPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await REST(baseURL: first.baseURL, token: token).get("/api/sessions").status == 200)
        _ = await first.stopAndWait()
        let second = try await HubProcess.start(name: "access-gen2", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9", environment: environment)
        defer { second.stop() }
        #expect(try await REST(baseURL: second.baseURL, token: token).get("/api/sessions").status == 200, "the same token after a restart")
    }

    @Test("auth: none works on loopback, says so loudly, and is refused on other addresses")
    func authNone() async throws {
        let hub = try await HubProcess.start(name: "access-none", ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9", serverLines: ["auth: none"])
        defer { hub.stop() }
        #expect(try await REST(baseURL: hub.baseURL).get("/api/sessions").status == 200)
        _ = try await BrowserClient.connect(to: hub.port).next("session_list")
        #expect(hub.log.contains("WARNING: auth: none"))

        let directory = try TestPaths.temporaryDirectory("access-none-lan")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml").path
        try """
            server: {host: 0.0.0.0, auth: none}
            backends:
              tts: {plugin: kokoro-http, url: "http://127.0.0.1:9"}
              stt: {plugin: whisper-http, url: "http://127.0.0.1:9"}
            voices: {sky: {backend: tts}}
            stt: {backend: stt}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = await Blocking.run { try? ProcessInspection.run([TestPaths.clawmux, "serve", "--config", config, "--port", "0"]) }
        #expect(result?.status != 0)
        #expect(result?.output.contains("auth: none is only allowed while the hub listens on loopback") == true, "\(result?.output ?? "")")
    }
}
