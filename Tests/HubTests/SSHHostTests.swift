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
            "ssh", "-M", "-N", "-o", "ControlPersist=no", "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=2",
            "-o", "BatchMode=yes", "-o", "ControlPath=/s/build-box.sock", "-o", "ConnectTimeout=10", "-p", "2200",
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
