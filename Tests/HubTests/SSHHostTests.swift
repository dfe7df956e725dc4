import Foundation
@testable import Hub
import PluginAPI
import PluginRuntime
import Testing

/// `hosts:` as configured, the ssh argv built from it, and the master connection's machine.
struct SSHHostTests {
    static let rest = ["backends:", "  tts: {plugin: kokoro-http, url: http://127.0.0.1:9}", "  stt: {plugin: whisper-http, url: http://127.0.0.1:9}",
                       "voices:", "  sky: {backend: tts}", "stt: {backend: stt}"]

    @Test func aHostBecomesArgvWithTheHubsControlSocketAndNoPrompt() throws {
        let config = try TestConfig.parse([
            "hosts:",
            "  build-box:",
            "    destination: me@build.example",
            "    port: 2200",
            "    identity: keys/id_build",
            "    options: [StrictHostKeyChecking=accept-new]",
            "  alias: {destination: gpu}",
        ] + Self.rest)
        #expect(config.hosts.map(\.name) == ["build-box", "alias"])
        let box = config.hosts[0]
        #expect(box.identity == "/keys/id_build" || box.identity?.hasSuffix("/keys/id_build") == true, "relative to the config: \(box.identity ?? "")")
        #expect(box.masterCommand(controlPath: "/s/build-box.sock") == [
            "ssh", "-M", "-N", "-o", "ControlPersist=no",
            "-o", "BatchMode=yes", "-o", "ControlPath=/s/build-box.sock", "-o", "ConnectTimeout=10",
            "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=2", "-p", "2200",
            "-i", box.identity ?? "", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new", "--", "me@build.example",
        ])
        #expect(config.hosts[1].checkCommand(controlPath: "/s/a.sock").suffix(2) == ["--", "gpu"])
    }

    @Test func badHostsAreErrorsOnTheirLine() throws {
        let option = try TestConfig.parseError(["hosts:", "  box:", "    destination: x", "    options: [-oProxyCommand=sh]"] + Self.rest)
        #expect(option.line == 4 && option.message == "expected an ssh option as Name=value", "\(option)")
        let destination = try TestConfig.parseError(["hosts:", "  box: {destination: \"-oProxyCommand=sh\"}"] + Self.rest)
        #expect(destination.line == 2 && destination.message == "expected user@host or a Host of your ssh config", "\(destination)")
        let name = try TestConfig.parseError(["hosts:", "  \"my box\": {destination: x}"] + Self.rest)
        #expect(name.message.hasPrefix("a host's name is letters"), "\(name)")
        let port = try TestConfig.parseError(["hosts:", "  box: {destination: x, port: 70000}"] + Self.rest)
        #expect(port.line == 2, "\(port)")
        let unknown = try TestConfig.parseError(["hosts:", "  box: {destination: x, password: hunter2}"] + Self.rest)
        #expect(unknown.message.contains("password"), "\(unknown)")
    }
}

struct HostLinkMachineTests {
    @Test func connectsRetriesWithAGrowingPauseAndKeepsTheReason() {
        var machine = HostLinkMachine(host: "box")
        let now = Date()
        #expect(machine.handle(.start, now: now) == [.startMaster])
        #expect(machine.state == .connecting)
        #expect(machine.handle(.ended(reason: "Permission denied (publickey)."), now: now) ==
                [.log("host box: Permission denied (publickey).; trying again in 1.0 seconds"), .retry(after: .seconds(1))])
        #expect(machine.state == .down && machine.lastError == "Permission denied (publickey).")
        #expect(machine.handle(.retryDue, now: now) == [.startMaster])
        #expect(machine.state == .down, "still down (with its reason) until it connects")
        #expect(machine.handle(.ended(reason: "again"), now: now).last == .retry(after: .seconds(2)))
        _ = machine.handle(.retryDue, now: now)
        #expect(machine.handle(.ready, now: now) == [.log("host box: connected")])
        #expect(machine.state == .connected)
        // Connected once: the next drop starts over from the shortest pause.
        #expect(machine.handle(.ended(reason: "link down"), now: now).last == .retry(after: .seconds(1)))
        _ = machine.handle(.stop, now: now)
        #expect(machine.state == .down && machine.handle(.retryDue, now: now).isEmpty, "stopped: down, nothing more")
    }

    @Test func thePauseStopsGrowingAtThirtySeconds() {
        var machine = HostLinkMachine(host: "box")
        var last: HostLinkMachine.Action?
        for _ in 0..<10 {
            _ = machine.handle(.retryDue, now: Date())
            last = machine.handle(.ended(reason: "down"), now: Date()).last
        }
        #expect(last == .retry(after: .seconds(30)))
    }
}

struct RemoteCommandTests {
    @Test func everyArgumentArrivesAsItIsThroughAShell() async throws {
        let argv = ["printf", "%s|", "two words", "it's", "$(touch /tmp/never)", "`id`", "a\nb", "", "*", "\\"]
        // What a POSIX shell makes of the line is the argv again (sh here stands for the login shell).
        let output = try await ChildProcess.run(["/bin/sh", "-c", RemoteCommand.line(argv)])
        #expect(output.standardOutput == "two words|it's|$(touch /tmp/never)|`id`|a\nb||*|\\|")
        #expect(RemoteCommand.quoted("it's") == #"'it'\''s'"#)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never"), "nothing in an argument ran")
    }
}

/// A host's `bridge` and `projects`, the hub's place there, and the fixed scripts run there.
struct HostPlaceTests {
    @Test func aHostMayNameItsBridgeAndItsProjects() throws {
        let config = try TestConfig.parse([
            "hosts:",
            "  box:",
            "    destination: me@box",
            "    bridge: /opt/clawmux/bin/clawmux-mcp",
            "    projects: [~/src/app, /srv/repo]",
        ] + SSHHostTests.rest)
        #expect(config.hosts[0].bridge == "/opt/clawmux/bin/clawmux-mcp")
        #expect(config.hosts[0].projects == ["~/src/app", "/srv/repo"])
        let relative = try TestConfig.parseError(["hosts:", "  box: {destination: x, bridge: bin/clawmux-mcp}"] + SSHHostTests.rest)
        #expect(relative.line == 2 && relative.message.contains("absolute path of clawmux-mcp"), "\(relative)")
        let home = try TestConfig.parseError(["hosts:", "  box: {destination: x, projects: [~]}"] + SSHHostTests.rest)
        #expect(home.line == 2 && home.message.contains("write \"~\" in quotes"), "\(home)")
        let project = try TestConfig.parseError(["hosts:", "  box: {destination: x, projects: [src/app]}"] + SSHHostTests.rest)
        #expect(project.message.contains("absolute path on the host"), "\(project)")
    }

    @Test func thePlaceIsNamedAfterTheHubAndTheHost() {
        let place = RemotePlace(home: "/home/me", hubID: "0123456789ab", hostName: "box")
        #expect(place.base == "/home/me/.cache/clawmux/0123456789ab-box")
        #expect(place.socket == "/home/me/.cache/clawmux/0123456789ab-box/hub.sock" && place.fitsSocketPath)
        #expect(place.sessionDirectory("voice-1-abcdef") == place.base + "/voice-1-abcdef")
        #expect(place.scratchDirectory("voice-1-abcdef") == place.base + "/.scratch/voice-1-abcdef")
        #expect(place.expanding("~/src") == "/home/me/src" && place.expanding("~") == "/home/me" && place.expanding("/srv") == "/srv")
        #expect(!RemotePlace(home: "/" + String(repeating: "h", count: 80), hubID: "0123456789ab", hostName: "box").fitsSocketPath)
        #expect(SSHHost.forwardSocketArguments(place.socket, port: 3460) == ["-R", place.socket + ":127.0.0.1:3460"])
    }

    @Test func theHubsIdentityIsMadeOnceAndKept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hub-id-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = HubIdentity.load(stateDirectory: directory)
        #expect(HubIdentity.isWellFormed(first))
        #expect(HubIdentity.load(stateDirectory: directory) == first)
        try "not an id\n".write(toFile: directory + "/hub-id", atomically: true, encoding: .utf8)
        #expect(HubIdentity.load(stateDirectory: directory) != first, "a damaged file is replaced")
    }

    /// The scripts run on hosts, here through sh with hostile arguments: they arrive as data.
    @Test func theScriptsTakeTheirArgumentsAsData() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("place $(touch x) \(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let socket = root + "/hub.sock"
        let prepared = try await ChildProcess.run(["/bin/sh", "-c", RemoteCommand.line(["sh", "-c", RemotePlace.prepareScript, "sh", root, socket])])
        #expect(prepared.succeeded, "\(prepared.standardError)")
        let mode = try FileManager.default.attributesOfItem(atPath: root)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let file = root + "/voice-1-abcdef/.mcp.json"
        let written = try await ChildProcess.run(
            ["/bin/sh", "-c", RemoteCommand.line(["sh", "-c", RemotePlace.writeScript, "sh", root + "/voice-1-abcdef", file])],
            input: Data("{\"a\": 1}".utf8))
        #expect(written.succeeded, "\(written.standardError)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "{\"a\": 1}")
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        let exists = try await ChildProcess.run(["/bin/sh", "-c", RemoteCommand.line(["sh", "-c", HostProjects.existsScript, "sh", root, root + "/none"])])
        #expect(exists.standardOutput == "1\n0\n")
        #expect(!FileManager.default.fileExists(atPath: "x"))
    }

    @Test func claudeProjectsAreReadFromTheTextOfItsFile() {
        #expect(ClaudeKnownProjects.parse(#"{"projects": {"/srv/b": {}, "/srv/a": {}, "relative": {}}}"#) == ["/srv/a", "/srv/b"])
        #expect(ClaudeKnownProjects.parse("not json").isEmpty)
    }

    @Test func recentProjectsAreKeptPerMachine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recent-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recent = RecentProjects(stateDirectory: directory)
        await recent.used("/here")
        await recent.used("/there", on: "box")
        await recent.used("/there/too", on: "box")
        let again = RecentProjects(stateDirectory: directory)
        #expect(await again.all() == ["/here"])
        #expect(await again.all(on: "box") == ["/there/too", "/there"])
        #expect(await again.all(on: "gpu").isEmpty)
    }
}
