#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hub
import Testing
import WireJSON
import ClawMuxTesting

/// Sessions survive a hub restart: a hub killed with SIGKILL and started again adopts the live
/// tmux sessions and pty agents (held by their pty host), their bridges reconnect, the converse in flight is asked again and completes;
/// sessions whose agent is gone are cleaned up.
@Suite("Restart")
struct RestartTests {
    @Test("SIGKILL, restart: the live session is adopted and converses on; the dead one is cleaned up", arguments: ["tmux", "pty"])
    func adopt(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        let first = try await HubProcess.start(name: "restart-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner, arguments: ["--port", "\(port)"])
        defer { first.stop() }
        let browser = try await BrowserClient.connect(to: first)
        let live = try #require(try await first.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let doomed = try #require(try await first.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        _ = try await first.rest.put("/api/sessions/\(live)/speed", json: .object(["speed": .number(1.5)]))
        // The live session's greeting is played; its agent now waits for the user's answer.
        let (audioIndex, _) = try await browser.next("audio", session: live)
        try await browser.send(.object(["type": .string("playback_done"), "session_id": .string(live)]))
        _ = try await browser.next("listening", session: live, after: audioIndex)
        let socket = first.tmuxSocket
        let snapshots = try await first.rest.get("/api/sessions").json?.arrayValue ?? []
        func agentPID(_ id: String) throws -> Int32 {
            let terminal = snapshots.first { $0["session_id"]?.stringValue == id }?["terminal"]?.stringValue ?? ""
            return try ProcessInspection.agentPID(terminal: terminal, tmuxSocket: socket, sessionID: id)
        }
        let liveAgent = try agentPID(live)
        // For pty: the host that holds the terminal (for tmux: the tmux server, which outlives sessions).
        let liveHost = spawner == "pty" ? ProcessInspection.parent(of: liveAgent) ?? 0 : 0
        let doomedAgent = try agentPID(doomed)
        if spawner == "tmux" {
            _ = await Blocking.run { try? ProcessInspection.run(["tmux", "-L", socket, "kill-session", "-t", "=\(doomed)"]) }
        } else {
            kill(doomedAgent, SIGKILL)
        }

        await first.kill()
        let second = try await first.successor(name: "restarted", arguments: ["--port", "\(port)"])
        defer { second.stop() }
        let again = try await BrowserClient.connect(to: second)
        // The bridge reconnects and sends the converse in flight again: the greeting is spoken anew
        // (as a broadcast, or, if that happened before this browser connected, replayed to it).
        let (audioIndex2, audio) = try await again.next("audio", session: live, timeout: .seconds(60))
        let spoken = String(decoding: Data(base64Encoded: audio["data"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
        #expect(spoken.hasPrefix("AUDIO[af_sky@1.5]:Hello!"), "voice and speed survived: \(spoken)")
        try await again.send(.object(["type": .string("playback_done"), "session_id": .string(live)]))
        _ = try await again.next("listening", session: live, after: audioIndex2)
        try await again.send(.object(["type": .string("audio"), "session_id": .string(live), "data": .string(Data("after the restart".utf8).base64EncodedString())]))
        let (_, said) = try await again.next(after: audioIndex2, "the agent's next words") {
            $0["type"]?.stringValue == "assistant_text" && $0["session_id"]?.stringValue == live
                && ($0["text"]?.stringValue ?? "").hasPrefix("You said")
        }
        #expect(said["text"]?.stringValue == "You said: after the restart")

        let sessions = try await second.rest.get("/api/sessions").json?.arrayValue ?? []
        #expect(sessions.compactMap { $0["session_id"]?.stringValue } == [live], "the dead one is gone")
        #expect(!FileManager.default.fileExists(atPath: "\(first.workRoot)/\(doomed)"))
        let transcript = try await second.rest.get("/api/sessions/\(live)/transcript").json?["entries"]?.arrayValue ?? []
        let agentLines = transcript.filter { $0["role"]?.stringValue == "assistant" }.compactMap { $0["text"]?.stringValue }
        #expect(agentLines.filter { $0.hasPrefix("Hello!") }.count == 1, "the greeting asked again after the restart is written once: \(agentLines)")
        #expect(agentLines.last == "You said: after the restart", "turns of both runs: \(agentLines)")
        // A new session does not reuse an adopted id.
        let next = try #require(try await second.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        #expect(next != live && next != doomed)
        _ = await second.stopAndWait()
        if spawner == "tmux" {
            let left = await Blocking.run { try? ProcessInspection.run(["tmux", "-L", socket, "has-session", "-t", "=\(live)"]) }
            #expect(left?.status != 0, "stopping the second hub ended the adopted session")
        }
        // The adopted agent (and, for pty, its host) is gone with the second hub.
        let deadline = ContinuousClock.now + .seconds(10)
        while ProcessInspection.isRunning(liveAgent) || ProcessInspection.isRunning(liveHost), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!ProcessInspection.isRunning(liveAgent), "stopping the second hub ended the adopted agent")
        #expect(!ProcessInspection.isRunning(liveHost), "and its pty host")
    }

    @Test("an adopted session whose agent ends before its bridge is back is removed at once, not at the ready timeout",
          arguments: ["tmux", "pty"])
    func adoptedAgentEndsWhileStarting(spawner: String) async throws {
        let engines = try await FakeSpeechServer.shared()
        let port = try FreePort.pick()
        // An agent that never starts a bridge: its session stays `starting`.
        let first = try await HubProcess.start(
            name: "adopt-starting-\(spawner)", ttsURL: engines.url, sttURL: engines.url, spawner: spawner, command: ["sleep", "120"],
            extraSessionLines: ["ready_timeout: 120s"], arguments: ["--port", "\(port)"])
        defer { first.stop() }
        let pending = Task { try? await first.rest.post("/api/sessions") }
        defer { pending.cancel() }
        func sessions(of hub: HubProcess) async throws -> [JSONValue] {
            try await hub.rest.get("/api/sessions").json?.arrayValue ?? []
        }
        var snapshot: JSONValue?
        let deadline = ContinuousClock.now + .seconds(20)
        while snapshot == nil, ContinuousClock.now < deadline {
            snapshot = try await sessions(of: first).first { !($0["terminal"]?.stringValue ?? "").isEmpty }
            if snapshot == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let id = try #require(snapshot?["session_id"]?.stringValue)
        let agent = try ProcessInspection.agentPID(terminal: snapshot?["terminal"]?.stringValue ?? "", tmuxSocket: first.tmuxSocket, sessionID: id)
        await first.kill()
        let second = try await first.successor(name: "adopt-starting-again", arguments: ["--port", "\(port)"])
        defer { second.stop() }
        #expect(try await sessions(of: second).compactMap { $0["session_id"]?.stringValue } == [id], "adopted")
        #expect(try await sessions(of: second).first?["status"]?.stringValue == "starting")

        kill(agent, SIGKILL)
        // Listed no more at once; the directory goes once the session's end is done.
        let workspace = "\(first.workRoot)/\(id)"
        let gone = ContinuousClock.now + .seconds(10)
        while try await !sessions(of: second).isEmpty || FileManager.default.fileExists(atPath: workspace), ContinuousClock.now < gone {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await sessions(of: second).isEmpty, "removed when its agent ended")
        #expect(!FileManager.default.fileExists(atPath: workspace))
    }

    @Test("a second hub on the same work root refuses to start (it would take the first one's sessions)")
    func oneHubPerWorkRoot() async throws {
        let engines = try await FakeSpeechServer.shared()
        let first = try await HubProcess.start(name: "work-root-lock", ttsURL: engines.url, sttURL: engines.url, spawner: "pty")
        defer { first.stop() }
        _ = try #require(try await first.rest.post("/api/sessions").json?["session_id"]?.stringValue)
        let config = first.directory.appendingPathComponent("config.yaml").path
        let state = first.directory.appendingPathComponent("state-second").path
        let second = await Blocking.run {
            try? ProcessInspection.run(["CLAWMUX_STATE_DIR=\(state)", "CLAWMUX_TOKEN=x", TestPaths.clawmux, "serve", "--config", config, "--port", "0"])
        }
        #expect(second?.status != 0)
        #expect(second?.output.contains("already uses the session directory") == true, "\(second?.output ?? "")")
        #expect(second?.output.contains("pid \(first.process.processIdentifier)") == true)
        // The first hub's session is untouched.
        #expect(try await first.rest.get("/api/sessions").json?.arrayValue?.count == 1)
    }
}
