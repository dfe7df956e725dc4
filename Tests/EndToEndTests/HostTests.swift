import Foundation
import Hub
import Logging
import Testing
import ClawMuxTesting
import WireJSON

/// Hosts reached over SSH (`hosts:`), each a network namespace with its own sshd (NamespaceHost):
/// the hub keeps one master connection per host and says why one is down, in ssh's words.
@Suite("SSH hosts", .serialized, .enabled(if: NamespaceHost.available, "needs root, ip and openssh-server (scripts/test.sh)"))
struct HostTests {
    static func hub(_ name: String, hosts: [String]) async throws -> HubProcess {
        try await HubProcess.start(name: name, ttsURL: "http://127.0.0.1:9", sttURL: "http://127.0.0.1:9",
                                   topLevelLines: ["hosts:"] + hosts)
    }

    static func entry(_ host: NamespaceHost, name: String, key: String, port: Int? = nil, extra: [String] = []) -> [String] {
        let options = host.sshOptions.map { "\"\($0)\"" }.joined(separator: ", ")
        return ["  \(name):", "    destination: \(host.destination)", "    identity: \(key)", "    options: [\(options)]"]
            + (port.map { ["    port: \($0)"] } ?? []) + extra.map { "    " + $0 }
    }

    /// Polls `GET /api/hosts` until `check` holds for the host named `name`.
    static func host(_ hub: HubProcess, _ name: String, within limit: Duration = .seconds(30), _ what: String,
                     _ check: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + limit
        var last = JSONValue.null
        while ContinuousClock.now < deadline {
            last = (try await hub.rest.get("/api/hosts").json?.arrayValue ?? []).first { $0["name"]?.stringValue == name } ?? .null
            if check(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("host \(name) never became \(what): \(last.encodedText())\n\(hub.log)")
    }

    @Test("a host is connected; a refused key and a closed port are down, in ssh's own words")
    func connectedOrWhyNot() async throws {
        let remote = try await NamespaceHost.start("connect")
        defer { remote.stop() }
        let hub = try await Self.hub("hosts", hosts: Self.entry(remote, name: "box", key: remote.key)
            + Self.entry(remote, name: "wrongkey", key: remote.wrongKey)
            + Self.entry(remote, name: "closed", key: remote.key, port: 2222))
        defer { hub.stop(); SessionOnHostTests.removePlaces(hub) }
        _ = try await Self.host(hub, "box", "connected") { $0["status"]?.stringValue == "connected" }
        let refused = try await Self.host(hub, "wrongkey", "down") { $0["status"]?.stringValue == "down" }
        #expect(refused["last_error"]?.stringValue?.contains("Permission denied") == true, "\(refused)")
        let closed = try await Self.host(hub, "closed", "down") { $0["status"]?.stringValue == "down" }
        #expect(closed["last_error"]?.stringValue?.contains("Connection refused") == true, "\(closed)")
    }

    @Test("the link to a host is cut: it is down within seconds, and connected again once the link is back")
    func reconnects() async throws {
        let remote = try await NamespaceHost.start("cut")
        defer { remote.stop() }
        let hub = try await Self.hub("hosts-cut", hosts: Self.entry(remote, name: "box", key: remote.key))
        defer { hub.stop(); SessionOnHostTests.removePlaces(hub) }
        _ = try await Self.host(hub, "box", "connected") { $0["status"]?.stringValue == "connected" }
        try remote.link(up: false)
        let down = try await Self.host(hub, "box", within: .seconds(20), "down after the cut") { $0["status"]?.stringValue == "down" }
        #expect(down["last_error"]?.stringValue?.isEmpty == false, "\(down)")
        try remote.link(up: true)
        _ = try await Self.host(hub, "box", within: .seconds(60), "connected again") { $0["status"]?.stringValue == "connected" }
    }

    @Test("a command runs on the host through the master connection, its argv intact; a host that is down says so")
    func runsOnTheHost() async throws {
        let remote = try await NamespaceHost.start("run")
        defer { remote.stop() }
        let config = try HubConfig.parse(yaml: (["hosts:"] + Self.entry(remote, name: "box", key: remote.key) + [
            "backends: {tts: {plugin: kokoro-http, url: http://127.0.0.1:9}, stt: {plugin: whisper-http, url: http://127.0.0.1:9}}",
            "voices: {sky: {backend: tts}}", "stt: {backend: stt}",
        ]).joined(separator: "\n"), file: remote.directory.appendingPathComponent("config.yaml").path, environment: [:])
        let state = remote.directory.appendingPathComponent("state").path
        defer { SessionOnHostTests.removePlaces(stateDirectory: state) }
        let links = HostLinks(hosts: config.hosts, stateDirectory: state, logger: Logger(label: "test"))
        // A link is up once the way back to the hub is: here, to the fake engines' port.
        let engines = try await FakeSpeechServer.shared()
        await links.serverStarted(port: engines.port)
        await links.start()
        defer { Task { await links.stop() } }
        let deadline = ContinuousClock.now + .seconds(30)
        while (await links.report().arrayValue?.first?["status"]?.stringValue) != "connected" {
            guard ContinuousClock.now < deadline else { throw TestFailure("never connected: \(await links.report().encodedText())") }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The namespace's own view: its address, and the argument with a space and a quote as one.
        let output = try await links.run(["sh", "-c", "ip -br addr; printf '%s|' \"$1\"", "sh", "it's one argument"], on: "box")
        #expect(output.succeeded && output.standardOutput.contains(remote.address), "\(output)")
        #expect(output.standardOutput.hasSuffix("it's one argument|"), "\(output.standardOutput)")
        await #expect(throws: HostLinks.HostError.unknown("elsewhere")) { _ = try await links.run(["true"], on: "elsewhere") }

        // The socket in the hub's place on the host that leads to a port on ours: the way back
        // for a bridge (here to the fake engines).
        let id = try String(contentsOfFile: state + "/hub-id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let socket = (NamespaceHost.home ?? "") + "/.cache/clawmux/\(id)-box/hub.sock"
        let fetched = try await links.run(["python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(b"GET /v1/models HTTP/1.1\\r\\nHost: hub\\r\\nConnection: close\\r\\n\\r\\n"); print(s.makefile().read())
            """, socket], on: "box")
        #expect(fetched.succeeded && fetched.standardOutput.contains("fake"), "\(fetched)")
        // Only the user's, and nothing listens on the namespace's network but its sshd.
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the socket is the user's only: \(String(mode ?? 0, radix: 8))")
        let listening = try await links.run(["ss", "-ltnH"], on: "box")
        let ports = listening.standardOutput.split(separator: "\n").compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first }
        #expect(!ports.isEmpty && ports.allSatisfy { $0.hasSuffix(":22") }, "the forward listens on no port: \(listening.standardOutput)")
        await links.stop()
        await #expect(throws: HostLinks.HostError.self) { _ = try await links.run(["true"], on: "box") }
    }
}
