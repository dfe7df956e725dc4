import ArgumentParser
import ClawMuxTesting
import Foundation

/// `clawmux-bench`: the project's benchmark.
@main
struct ClawmuxBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clawmux-bench",
        abstract: "Benchmark the hub (turns, the default), the latency a person feels (voice) or the piper plugin (piper).",
        subcommands: [TurnsCommand.self, PiperCommand.self, VoiceCommand.self],
        defaultSubcommand: TurnsCommand.self)
}

/// Measures the hub's own cost per converse turn with zero-latency fake engines (or the latency
/// you give them), through real processes: the release hub, the real spawner, demo agents
/// behind the real bridge, and a browser over a WebSocket.
struct TurnsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turns",
        abstract: "N sessions × K checked converse turns, with timings, CPU and memory from /proc.")

    @Option(help: "1, 10, 50 or 100 sessions (with 50, 20, 20, 20 turns each).")
    var preset: Int?
    @Option(help: "Sessions spawned at once (overrides the preset).")
    var sessions: Int?
    @Option(help: "Converse turns per session (overrides the preset).")
    var turns: Int?
    @Option(help: "The fake TTS's latency in ms, spread over its chunks (0: answers at once).")
    var ttsLatencyMs: Int = 0
    @Option(help: "How many chunks the fake TTS streams its answer in.")
    var ttsChunks: Int = 4
    @Option(help: "The fake STT's latency in ms.")
    var sttLatencyMs: Int = 0
    @Option(help: "Each agent first times this many voice_chat_status calls (one MCP tool call the hub answers at once).")
    var statusCalls: Int = 0
    @Option(help: "Milliseconds each agent pauses between its turns (0: back to back, which saturates the machine).")
    var pauseMs: Int = 0
    @Option(help: "pty or tmux.")
    var spawner: String = "pty"
    @Option(help: "Spread the sessions over this many SSH hosts, each a network namespace with its own sshd (needs root and openssh-server); the same run is then made on this machine with tmux first, for the SSH path's overhead.")
    var hosts: Int = 0
    @Option(help: "The clawmux binary to measure (default: the one next to this benchmark).")
    var clawmux: String?
    @Option(help: "Also write the JSON result to this file.")
    var json: String?
    @Flag(help: "Keep the run's directory (config, hub log, session dirs).")
    var keep = false

    func run() async throws {
        let presets = [1: 50, 10: 20, 50: 20, 100: 20]
        if let preset, presets[preset] == nil { throw ValidationError("--preset is one of 1, 10, 50, 100") }
        let count = sessions ?? preset ?? 1
        let perSession = turns ?? presets[preset ?? 1] ?? 20
        guard count >= 1, perSession >= 1 else { throw ValidationError("sessions and turns must be at least 1") }
        guard ["pty", "tmux"].contains(spawner) else { throw ValidationError("--spawner is pty or tmux") }
        let binary = clawmux ?? Self.sibling("clawmux")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no clawmux binary at \(binary): build it (swift build -c release) or pass --clawmux")
        }
        let run = BenchRun(
            clawmux: binary, spawner: hosts > 0 ? "tmux" : spawner, sessions: count, turns: perSession,
            engines: .init(latency: .milliseconds(ttsLatencyMs), chunks: max(1, ttsChunks), sttLatency: .milliseconds(sttLatencyMs)),
            statusCalls: max(0, statusCalls), pauseMs: max(0, pauseMs), keep: keep)
        guard hosts > 0 else {
            let result = try await run.run()
            try report(result)
            if result.failed { throw ExitCode(1) }
            return
        }
        guard (1...16).contains(hosts) else { throw ValidationError("--hosts is 1 to 16") }
        guard NamespaceHost.available else { throw ValidationError("--hosts needs root, ip and openssh-server (scripts/setup-hosts-tests.sh)") }
        // The same run here first (tmux, as on the hosts), then on the hosts: one sitting.
        let local = try await run.run()
        try report(local)
        var started: [NamespaceHost] = []
        defer { for host in started { host.stop() } }
        for index in 1...hosts { started.append(try await NamespaceHost.start("bench\(index)")) }
        var remote = run
        remote.hosts = started
        let far = try await remote.run()
        try report(far)
        print(String(format: "SSH path overhead per turn: round trip p50 %+.2f ms, p90 %+.2f ms; CPU %+.3f ms (hub) %+.3f ms (bridges) + %.3f ms (ssh + sshd)",
                     far.roundTripMs.p50 - local.roundTripMs.p50, far.roundTripMs.p90 - local.roundTripMs.p90,
                     far.hubCPUPerTurnMs - local.hubCPUPerTurnMs, far.bridgeCPUPerTurnMs - local.bridgeCPUPerTurnMs, far.sshCPUPerTurnMs))
        if local.failed || far.failed { throw ExitCode(1) }
    }

    private func report(_ result: BenchResult) throws {
        print(result.table())
        print(result.json())
        if let json { try result.json().write(toFile: json + (result.hosts > 0 ? ".hosts" : ""), atomically: true, encoding: .utf8) }
        if !result.errors.isEmpty { print("errors:\n" + result.errors.joined(separator: "\n")) }
    }

    /// A binary in the same build directory as this one.
    static func sibling(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
