import ClawMuxTesting
import Foundation
import Testing
import WireJSON

/// Approvals with the real Claude Code (`claude-asks`: `--permission-mode manual`): its
/// `PermissionRequest` hook waits in the hub; the scripted model runs one Bash command that
/// writes a file in the project, so whether it ran is plain to see.
extension RealAgentTests {
    static let command = "echo approved > approved.txt"

    /// A `claude-asks` session whose model asks to run `command` first; returns the session and
    /// where its permission request (already spoken) was seen.
    static func askingSession(
        _ name: String, command: String = command, times: Int = 1, speechLines: [String]? = nil, sessionLines: [String] = []
    ) async throws -> (setup: RealAgentSetup, browser: BrowserClient, id: String, request: JSONValue, asked: Int) {
        let setup = try await RealAgentSetup.start(
            .claude, spawner: "tmux", name: name, turns: 1, modelArguments: ["--bash-first", command, "--bash-times", "\(times)"],
            speechLines: speechLines, sessionLines: sessionLines)
        let browser = try await BrowserClient.connect(to: setup.hub, hello: ["permissions", "activity"])
        let created = try await setup.hub.rest.post("/api/sessions", json: .object(["agent": .string("claude-asks"), "cwd": .string(setup.project)]))
        #expect(created.status == 200, "\(created.text)\n\(setup.hub.log.suffix(3000))")
        let id = try #require(created.json?["session_id"]?.stringValue)
        let (asked, message) = try await browser.next("permission_request", session: id, timeout: .seconds(90))
        let request = try #require(message["request"])
        #expect(request["tool"]?.stringValue == "Bash" && request["detail"]?.stringValue == command)
        #expect(!FileManager.default.fileExists(atPath: setup.project + "/approved.txt"), "nothing runs before the user says so")
        return (setup, browser, id, request, asked)
    }

    /// The model's last request: what it was told about its Bash call.
    static func bashResult(_ setup: RealAgentSetup) -> (text: String, error: Bool) {
        let last = setup.model.requests.last { $0["last_bash_result"] != nil }
        return (last?["last_bash_result"]?.stringValue ?? "", last?["last_bash_error"] == .bool(true))
    }

    @Test("approvals: the real Claude Code asks to run a command; the request is spoken and listed; allowed by a tap, it runs",
          .timeLimit(.minutes(3)))
    func approvedByTap() async throws {
        let (setup, browser, id, request, asked) = try await Self.askingSession("real-approve")
        defer { setup.hub.stop() }
        let (_, question) = try await browser.next("assistant_text", session: id, after: asked)
        // Named by its label (the project folder's name).
        #expect(question["text"]?.stringValue == "my-app wants to run an echo command. Allow?", "symbols are not read out")
        let requestID = try #require(request["request_id"]?.stringValue)
        #expect(try await setup.hub.rest.get("/api/sessions/\(id)/permissions").json?[0]?["request_id"]?.stringValue == requestID)
        #expect(try await setup.hub.rest.post("/api/sessions/\(id)/permissions/\(requestID)", json: .object(["decision": .string("allow")])).status == 200)
        let (resolved, _) = try await browser.next("permission_resolved", session: id, after: asked)
        _ = try await Self.converse(setup, session: id, browser: browser, turns: 1, from: resolved)
        #expect((try? String(contentsOfFile: setup.project + "/approved.txt", encoding: .utf8)) == "approved\n")
        #expect(!Self.bashResult(setup).error)
    }

    @Test("approvals: 'allow for this session' lets the same command run again without asking", .timeLimit(.minutes(3)))
    func allowedForTheSession() async throws {
        let (setup, browser, id, request, asked) = try await Self.askingSession(
            "real-approve-session", command: "python3 -c 'open(\"approved.txt\", \"a\").write(\"approved\\n\")'", times: 2)
        defer { setup.hub.stop() }
        let requestID = try #require(request["request_id"]?.stringValue)
        #expect(request["can_allow_session"] == .bool(true), "Claude Code suggests a rule")
        #expect(try await setup.hub.rest.post("/api/sessions/\(id)/permissions/\(requestID)", json: .object(["decision": .string("allow_session")])).status == 200)
        let (resolved, _) = try await browser.next("permission_resolved", session: id, after: asked)
        _ = try await Self.converse(setup, session: id, browser: browser, turns: 1, from: resolved)
        #expect((try? String(contentsOfFile: setup.project + "/approved.txt", encoding: .utf8)) == "approved\napproved\n")
        #expect(browser.messages.filter { $0["type"]?.stringValue == "permission_request" }.count == 1, "asked once")
        // Only for the session: nothing was written into the project's or the user's settings.
        #expect(!FileManager.default.fileExists(atPath: setup.project + "/.claude/settings.local.json"))
        #expect(!FileManager.default.fileExists(atPath: setup.home + "/.claude/settings.json"))
    }

    @Test("approvals: denied by a tap, the command does not run and the model reads the denial", .timeLimit(.minutes(3)))
    func deniedByTap() async throws {
        let (setup, browser, id, request, asked) = try await Self.askingSession("real-deny")
        defer { setup.hub.stop() }
        let requestID = try #require(request["request_id"]?.stringValue)
        #expect(try await setup.hub.rest.post("/api/sessions/\(id)/permissions/\(requestID)", json: .object(["decision": .string("deny")])).status == 200)
        let (resolved, _) = try await browser.next("permission_resolved", session: id, after: asked)
        _ = try await Self.converse(setup, session: id, browser: browser, turns: 1, from: resolved)
        #expect(!FileManager.default.fileExists(atPath: setup.project + "/approved.txt"))
        let told = Self.bashResult(setup)
        #expect(told.error && told.text.contains("The user denied this."), "the model was told: \(told)")
    }

    @Test("approvals: nobody answers, so after permission_timeout it is denied with a reason the model reads", .timeLimit(.minutes(3)))
    func deniedAtTheTimeout() async throws {
        let (setup, browser, id, _, asked) = try await Self.askingSession("real-timeout", sessionLines: ["permission_timeout: 5s"])
        defer { setup.hub.stop() }
        let (resolved, message) = try await browser.next("permission_resolved", session: id, after: asked, timeout: .seconds(30))
        #expect(message["by"]?.stringValue == "timeout")
        _ = try await Self.converse(setup, session: id, browser: browser, turns: 1, from: resolved)
        #expect(!FileManager.default.fileExists(atPath: setup.project + "/approved.txt"))
        let told = Self.bashResult(setup)
        #expect(told.error && told.text.contains("did not answer within 5 s"), "the model was told: \(told)")
    }

    @Test("approvals by voice: the question in Piper's voice, a spoken 'Yes, go ahead.' through the real STT, and it runs",
          .timeLimit(.minutes(4)), .enabled(if: BrowserUI.available, "needs the real engines of scripts/test.sh"))
    func approvedBySpeech() async throws {
        let answer = try await SpokenAnswer.wav("Yes, go ahead.")
        let (setup, browser, id, _, asked) = try await Self.askingSession("real-approve-voice", speechLines: BrowserUI.speechLines)
        defer { setup.hub.stop() }
        let turn = try await Conversation(browser: browser, sessionID: id)
            .turn(after: asked, answer: answer, format: "audio/wav", timeout: .seconds(90))
        #expect(turn.said == "my-app wants to run an echo command. Allow?")
        let (resolved, message) = try await browser.next("permission_resolved", session: id, after: asked, timeout: .seconds(60))
        #expect(message["decision"]?.stringValue == "allow" && message["by"]?.stringValue == "voice", "\(message)")
        // The agent's own turn follows in the same voice; its answer goes through the real STT too.
        let (said, greeting) = try await browser.next("assistant_text", session: id, after: resolved, timeout: .seconds(90))
        #expect(greeting["text"]?.stringValue == "Hello from Claude. Turn 1?")
        _ = said
        #expect((try? String(contentsOfFile: setup.project + "/approved.txt", encoding: .utf8)) == "approved\n")
    }
}

/// Words spoken by Piper (`clawmux say`), as the user's recorded answer.
enum SpokenAnswer {
    static func wav(_ words: String) async throws -> Data {
        let directory = try TestPaths.temporaryDirectory("spoken-answer")
        let config = directory.appendingPathComponent("config.yaml").path
        try (["backends:"] + BrowserUI.speechLines + ["sessions: {spawner: pty}"]).joined(separator: "\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let wav = directory.appendingPathComponent("answer.wav").path
        let argv = [TestPaths.clawmux, "say", "--config", config, "--voice", "joe", words, "-o", wav]
        let said = await Blocking.run { try? ProcessInspection.run(argv) }
        guard said?.status == 0 else { throw TestFailure("clawmux say failed: \(said?.output ?? "not run")") }
        return try Data(contentsOf: URL(fileURLWithPath: wav))
    }
}

/// Joins 16-bit mono WAV files (same rate) with quiet between them: a fake microphone's speech
/// with pauses where a test wants them.
enum WAVJoin {
    static func join(_ files: [Data], silence seconds: Double) throws -> Data {
        var pcm = Data()
        var rate = 22050
        for (index, file) in files.enumerated() {
            guard let (samples, sampleRate) = pcmData(of: file) else { throw TestFailure("not a PCM WAV") }
            rate = sampleRate
            if index > 0 { pcm.append(Data(count: Int(seconds * Double(rate)) * 2)) }
            pcm.append(samples)
        }
        return header(bytes: pcm.count, sampleRate: rate) + pcm
    }

    /// `files` without their quiet ends, `lead` seconds of silence before the first and exactly
    /// `pauses[i]` after the i-th: Piper's own quiet ends would make each pause longer than stated.
    static func join(trimmed files: [Data], lead: Double, pauses: [Double]) throws -> Data {
        guard pauses.count == files.count - 1 else { throw TestFailure("\(files.count) files need \(files.count - 1) pauses") }
        var pcm = Data()
        var rate = 22050
        for (index, file) in files.enumerated() {
            guard let (samples, sampleRate) = pcmData(of: file) else { throw TestFailure("not a PCM WAV") }
            rate = sampleRate
            pcm.append(Data(count: Int((index == 0 ? lead : pauses[index - 1]) * Double(rate)) * 2))
            pcm.append(trimmed(samples))
        }
        return header(bytes: pcm.count, sampleRate: rate) + pcm
    }

    /// From the first to the last sample above 1% of full scale (the level sox's `silence` is
    /// usually given): the quiet before and after is cut.
    static func trimmed(_ pcm: Data) -> Data {
        let bytes = [UInt8](pcm)
        let loud = stride(from: 0, to: bytes.count - 1, by: 2).filter { at in
            let sample = Int16(bitPattern: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8)
            return sample > 327 || sample < -327
        }
        guard let first = loud.first, let last = loud.last else { return Data() }
        return Data(bytes[first..<(last + 2)])
    }

    /// A canonical 44-byte header: PCM, mono, 16-bit.
    private static func header(bytes: Int, sampleRate: Int) -> Data {
        func u32(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24 & 0xFF)] }
        func u16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        var header: [UInt8] = Array("RIFF".utf8) + u32(36 + bytes) + Array("WAVEfmt ".utf8) + u32(16) + u16(1) + u16(1)
        header += u32(sampleRate) + u32(sampleRate * 2) + u16(2) + u16(16) + Array("data".utf8) + u32(bytes)
        return Data(header)
    }

    /// The `data` chunk and the sample rate of a WAV file.
    private static func pcmData(of wav: Data) -> (Data, Int)? {
        let bytes = [UInt8](wav)
        guard bytes.count > 44, bytes[0..<4] == [82, 73, 70, 70] else { return nil }
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        let rate = u32(24)
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = u32(offset + 4)
            if bytes[offset..<offset + 4] == [100, 97, 116, 97] {  // "data"
                return (Data(bytes[(offset + 8)..<min(bytes.count, offset + 8 + size)]), rate)
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
