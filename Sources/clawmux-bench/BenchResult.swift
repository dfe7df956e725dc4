import Foundation

/// What one benchmark run measured; printed as a table and as JSON.
struct BenchResult: Codable, Sendable {
    struct Summary: Codable, Sendable {
        var count: Int
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double

        /// Nearest-rank percentiles of `values` (milliseconds).
        init(_ values: [Double]) {
            let sorted = values.sorted()
            func rank(_ q: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                return sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
            }
            count = sorted.count
            p50 = rank(0.5)
            p90 = rank(0.9)
            p99 = rank(0.99)
            max = sorted.last ?? 0
        }
    }

    var sessions: Int
    var turnsPerSession: Int
    var spawner: String
    /// Sessions spread over this many SSH hosts (0: all on this machine).
    var hosts: Int = 0
    /// The SSH path's processes: the hub's master ssh clients and the hosts' sshd (with --hosts).
    var sshCPUPerTurnMs: Double = 0
    /// The agents' pause between turns (0: back to back).
    var pauseMs: Int
    var hubStartToListeningMs: Double
    var spawnToReadyMs: Summary
    var roundTripMs: Summary
    var turnsPerSecond: Double
    var hubCPUPerTurnMs: Double
    var bridgeCPUPerTurnMs: Double
    /// The rest of the machine's load: the demo agents, and this process (fake engines and browser).
    var agentCPUPerTurnMs: Double
    var benchCPUPerTurnMs: Double
    /// Of the hub's threads still alive at the end.
    var hubContextSwitchesPerTurn: Double
    var hubPeakRSSMegabytes: Double
    /// The hub's RSS once the turns are done, every session still there (VmRSS), and the part
    /// of it that is its own (RssAnon: not pages of the binary and libraries shared with others).
    var hubRSSMegabytes: Double
    var hubAnonymousRSSMegabytes: Double
    var bridgePeakRSSMegabytes: Double
    var engineFirstChunkMs: Double
    var firstAudioMs: Summary
    /// `voice_chat_status` through the bridge's stdio (with --status-calls).
    var toolCallMs: Summary?
    var wrongTurns: Int
    var lostTurns: Int
    var errors: [String]

    var failed: Bool { wrongTurns > 0 || lostTurns > 0 }

    func table() -> String {
        func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
        let rows: [(String, String)] = [
            ("sessions × turns", "\(sessions) × \(turnsPerSession) (\(spawner)" + (hosts > 0 ? " on \(hosts) SSH hosts" : "")
                + (pauseMs > 0 ? ", \(pauseMs) ms between turns)" : ", back to back)")),
            ("hub start → listening", ms(hubStartToListeningMs)),
            ("spawn → ready p50 / max", "\(ms(spawnToReadyMs.p50)) / \(ms(spawnToReadyMs.max))"),
            ("round trip p50 / p90 / p99 / max", "\(ms(roundTripMs.p50)) / \(ms(roundTripMs.p90)) / \(ms(roundTripMs.p99)) / \(ms(roundTripMs.max))"),
            ("turns per second", String(format: "%.1f", turnsPerSecond)),
            ("CPU per turn: hub / bridges", "\(ms(hubCPUPerTurnMs)) / \(ms(bridgeCPUPerTurnMs))"),
            ("CPU per turn: agents / engines + browser", "\(ms(agentCPUPerTurnMs)) / \(ms(benchCPUPerTurnMs))"),
        ] + (hosts > 0 ? [("CPU per turn: ssh + sshd", ms(sshCPUPerTurnMs))] : []) + [
            ("hub context switches per turn", String(format: "%.1f", hubContextSwitchesPerTurn)),
            ("peak RSS: hub / one bridge", String(format: "%.1f MB / %.1f MB", hubPeakRSSMegabytes, bridgePeakRSSMegabytes)),
            ("hub RSS after the turns (own)", String(format: "%.1f MB (%.1f MB)", hubRSSMegabytes, hubAnonymousRSSMegabytes)),
            ("first audio p50 / p99 (engine's first chunk)", "\(ms(firstAudioMs.p50)) / \(ms(firstAudioMs.p99)) (\(ms(engineFirstChunkMs)))"),
            ("wrong / lost turns", "\(wrongTurns) / \(lostTurns)"),
        ] + (toolCallMs.map { [("MCP tool call p50 / p99", "\(ms($0.p50)) / \(ms($0.p99)) (\($0.count) calls)")] } ?? [])
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}
