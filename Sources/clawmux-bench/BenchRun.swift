import ClawMuxTesting
import Foundation
import WireJSON

/// One benchmark run: fake engines, the release hub, N sessions spawned at once (each agent a
/// demo agent in bench mode behind the real bridge), K checked turns each, then the numbers.
struct BenchRun: Sendable {
    var clawmux: String
    var spawner: String
    var sessions: Int
    var turns: Int
    var engines: EngineLatency
    var statusCalls: Int
    var pauseMs: Int
    var keep: Bool
    /// Sessions spread round-robin over these hosts (none: all here).
    var hosts: [NamespaceHost] = []

    func run() async throws -> BenchResult {
        let speech = try await FakeSpeechServer.start(.init(
            speech: .silence(bytes: engines.audioBytes, chunks: engines.chunks, latency: engines.latency), sttLatency: engines.sttLatency))
        let hub = try await HubUnderTest.start(.init(
            clawmux: clawmux, spawner: spawner, sessions: sessions, turns: turns, enginesURL: speech.url,
            statusCalls: statusCalls, pauseMs: pauseMs, hosts: hosts))
        let browser: BenchBrowser
        do {
            browser = try await BenchBrowser.connect(port: hub.port, token: hub.token)
        } catch {
            try? await hub.stop()
            throw error
        }
        // A failed run keeps its directory (config, hub log, session dirs) to look at.
        var succeeded = false
        defer {
            browser.close()
            if succeeded && !keep {
                // The hub's places on the hosts too (they share this file system).
                if !hosts.isEmpty, let prefix = hub.hostPlacesPrefix {
                    for index in hosts.indices { try? FileManager.default.removeItem(atPath: prefix + HubUnderTest.hostName(index)) }
                }
                try? FileManager.default.removeItem(at: hub.directory)
            }
        }
        let result: BenchResult
        do {
            result = try await measure(hub: hub, browser: browser)
        } catch {
            let stopped = (try? await hub.stop()) != nil
            throw BenchFailure("\(error)" + (stopped ? "" : "; the hub did not exit and was killed") + " (hub log: \(hub.directory.path)/hub.log)")
        }
        try await hub.stop()
        succeeded = true
        return result
    }

    private func measure(hub: HubUnderTest, browser: BenchBrowser) async throws -> BenchResult {
        if !hosts.isEmpty { try await hub.waitForHosts(hosts.count) }
        let hostCount = hosts.count
        // Spawn every session at once, as a user opening many tabs would.
        let spawned = try await withThrowingTaskGroup(of: (String, Double).self) { group in
            for index in 0..<sessions {
                group.addTask {
                    let started = ContinuousClock.now
                    let snapshot = try await hub.createSession(host: hostCount > 0 ? HubUnderTest.hostName(index % hostCount) : nil)
                    guard let directory = snapshot["work_dir"]?.stringValue else { throw BenchFailure("no work_dir in \(snapshot)") }
                    return (directory, Self.milliseconds(ContinuousClock.now - started))
                }
            }
            var results: [(String, Double)] = []
            for try await result in group { results.append(result) }
            return results
        }
        let directories = spawned.map(\.0)
        // Every agent is connected and waits on its start FIFO: the timed part starts together.
        try await waitUntil(timeout: .seconds(60), "every agent waits to start") {
            directories.allSatisfy { FileManager.default.fileExists(atPath: $0 + "/bench.go") }
        }
        // The agents work in their session's scratch folder: here, or in the hub's places on the hosts.
        let root = hosts.isEmpty ? hub.workRoot : (hub.hostPlacesPrefix ?? hub.workRoot)
        let bridges = ProcessStats.bridges(under: root)
        guard bridges.count == sessions else { throw BenchFailure("found \(bridges.count) bridges for \(sessions) sessions") }
        let agents = ProcessStats.agents(under: root)
        let ssh = hosts.isEmpty ? [] : ProcessStats.children(of: hub.pid, named: "ssh") + hosts.flatMap { host in
            host.processes.filter { ProcessStats.command($0).first?.hasPrefix("sshd") == true }
        }
        let sshBefore = ProcessStats.threadCPU(ssh)
        let hubBefore = ProcessStats.threadCPU([hub.pid])
        let bridgesBefore = ProcessStats.threadCPU(bridges)
        let agentsBefore = ProcessStats.threadCPU(agents)
        let ownBefore = ProcessStats.ownCPUSeconds()
        let switchesBefore = ProcessStats.threadSwitches([hub.pid])
        let go = Date()
        try await releaseAgents(directories)
        let reports = directories.map { $0 + "/bench.jsonl" }
        let allowed = 60 + Double(sessions * turns) * 0.5 + Double(turns * pauseMs) / 1000
        try await waitUntil(timeout: .seconds(allowed), "every agent finishes its turns") {
            reports.allSatisfy { (try? String(contentsOfFile: $0, encoding: .utf8))?.contains(#""done":true"#) == true }
        }
        let hubCPU = ProcessStats.delta(from: hubBefore, to: ProcessStats.threadCPU([hub.pid]))
        let bridgesCPU = ProcessStats.delta(from: bridgesBefore, to: ProcessStats.threadCPU(bridges))
        let agentsCPU = ProcessStats.delta(from: agentsBefore, to: ProcessStats.threadCPU(agents))
        let ownCPU = ProcessStats.ownCPUSeconds() - ownBefore
        let hubSwitches = ProcessStats.delta(from: switchesBefore, to: ProcessStats.threadSwitches([hub.pid]))
        let sshCPU = ProcessStats.delta(from: sshBefore, to: ProcessStats.threadCPU(ssh))

        var roundTrips: [Double] = []
        var statusCallTimes: [Double] = []
        var wrong = 0, lost = 0
        var lastTurnAt = go.timeIntervalSince1970
        var examples: [String] = []
        for report in reports {
            let lines = ((try? String(contentsOfFile: report, encoding: .utf8)) ?? "").split(separator: "\n")
            let parsed = lines.compactMap { JSONValue.decode(String($0)) }
            let turnLines = parsed.filter { $0["turn"] != nil }
            for line in parsed { statusCallTimes += line["status_ms"]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
            lost += max(0, turns - turnLines.count)
            for line in turnLines {
                roundTrips.append(line["ms"]?.doubleValue ?? 0)
                lastTurnAt = max(lastTurnAt, line["at"]?.doubleValue ?? 0)
                if line["ok"]?.boolValue != true {
                    wrong += 1
                    if examples.count < 5 { examples.append("wrong answer: \(line["heard"]?.stringValue ?? "")") }
                }
            }
        }
        let total = Double(max(1, sessions * turns))
        let phase = max(0.001, lastTurnAt - go.timeIntervalSince1970)
        return BenchResult(
            sessions: sessions, turnsPerSession: turns, spawner: spawner, hosts: hosts.count,
            sshCPUPerTurnMs: sshCPU * 1000 / total, pauseMs: pauseMs,
            hubStartToListeningMs: Self.milliseconds(hub.startToListening),
            spawnToReadyMs: .init(spawned.map(\.1)),
            roundTripMs: .init(roundTrips),
            turnsPerSecond: Double(roundTrips.count) / phase,
            hubCPUPerTurnMs: hubCPU * 1000 / total,
            bridgeCPUPerTurnMs: bridgesCPU * 1000 / total,
            agentCPUPerTurnMs: agentsCPU * 1000 / total,
            benchCPUPerTurnMs: ownCPU * 1000 / total,
            hubContextSwitchesPerTurn: hubSwitches / total,
            hubPeakRSSMegabytes: Double(ProcessStats.memory(hub.pid, "VmHWM") ?? 0) / 1_048_576,
            hubRSSMegabytes: Double(ProcessStats.memory(hub.pid, "VmRSS") ?? 0) / 1_048_576,
            hubAnonymousRSSMegabytes: Double(ProcessStats.memory(hub.pid, "RssAnon") ?? 0) / 1_048_576,
            bridgePeakRSSMegabytes: Double(bridges.compactMap { ProcessStats.memory($0, "VmHWM") }.max() ?? 0) / 1_048_576,
            engineFirstChunkMs: Self.milliseconds(engines.latency / max(1, engines.chunks)),
            firstAudioMs: .init(browser.firstAudioDelays.map(Self.milliseconds)),
            toolCallMs: statusCallTimes.isEmpty ? nil : .init(statusCallTimes),
            wrongTurns: wrong, lostTurns: lost, errors: examples + browser.errors.prefix(5))
    }

    /// Opens and closes each agent's start FIFO. Without blocking: an open for writing waits for
    /// the reader, and an agent that never listens must fail the run, not hang it.
    private func releaseAgents(_ directories: [String]) async throws {
        var waiting = directories
        let deadline = ContinuousClock.now + .seconds(30)
        while !waiting.isEmpty {
            waiting = waiting.filter { directory in
                let fd = open(directory + "/bench.go", O_WRONLY | O_NONBLOCK)
                guard fd >= 0 else { return true }
                close(fd)
                return false
            }
            guard !waiting.isEmpty else { return }
            guard ContinuousClock.now < deadline else { throw BenchFailure("no agent listens for its start signal in \(waiting)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Polls a condition of the outside world (files the agents write) every 10 ms.
    private func waitUntil(timeout: Duration, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw BenchFailure("timed out: \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// The fake engines' speed: speech is `audioBytes` of silence in `chunks` parts spread over
/// `latency` (the first part after latency/chunks); a transcription comes after `sttLatency`.
struct EngineLatency: Sendable {
    var latency: Duration = .zero
    var chunks: Int = 4
    var sttLatency: Duration = .zero
    var audioBytes: Int = 4800   // 0.1 s at 24 kHz
}
