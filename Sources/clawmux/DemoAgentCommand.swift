import ArgumentParser
import Foundation
import DemoAgent

struct DemoAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-agent",
        abstract: "A tiny agent for trying the hub without Claude Code: converses through ./.mcp.json in a loop.")

    @Option(help: "Stop after this many converse calls.")
    var turns: Int?

    @Option(help: "Ask this question and wait for Enter before starting (to try terminal prompt answers).")
    var ask: String?

    @Option(help: "The first thing the agent says.")
    var greeting: String?

    @Option(help: "Seconds to wait after the user muted the mic before speaking again.")
    var mutedPause: Double = 5

    @Flag(help: "After the last turn, stay connected without talking (with --turns).")
    var stay = false

    @Option(help: "Benchmark mode: this many checked turns, timed, reported as JSON lines to --bench-report.")
    var benchTurns: Int?

    @Option(help: "Where benchmark mode writes its report.")
    var benchReport: String = "bench.jsonl"

    @Option(help: "Benchmark mode: make this FIFO and wait until it is opened before the first turn.")
    var benchStart: String?

    @Option(help: "Benchmark mode: time this many voice_chat_status calls before the turns.")
    var benchStatusCalls: Int = 0

    @Option(help: "Benchmark mode: mean milliseconds the agent pauses between turns (random, 0 to twice this).")
    var benchPauseMs: Int = 0

    @Option(help: "Benchmark mode with a person's voice: the agent says these (in turn, repeated) instead of its checkable nonce.")
    var benchMessage: [String] = []

    @Option(help: "Benchmark mode with a person's voice: the words every answer should hold (a turn is right when 80% of them were heard).")
    var benchExpect: String?

    @Option(name: .long, help: "The MCP config to read (default: $CLAWMUX_MCP_CONFIG, which the hub sets, else ./.mcp.json).")
    var mcpConfig: String?

    func run() async throws {
        var common = CommonOptions()
        common.logLevel = ProcessInfo.processInfo.environment["CLAWMUX_LOG_LEVEL"] ?? "warning"
        let logger = common.bootstrapLogging(label: "clawmux.demo-agent")
        var options = DemoAgent.Options(turns: turns, askFirst: ask)
        if let greeting { options.greeting = greeting }
        options.stay = stay
        if let benchTurns { options.bench = .init(turns: benchTurns, report: benchReport, startSignal: benchStart, statusCalls: benchStatusCalls, pause: .milliseconds(max(0, benchPauseMs)),
                                                        messages: benchMessage, expected: benchExpect) }
        options.mutedPause = .milliseconds(Int64(max(0, mutedPause) * 1000))
        try await DemoAgent(options: options, logger: logger).run(configPath: mcpConfig ?? ProcessInfo.processInfo.environment["CLAWMUX_MCP_CONFIG"] ?? ".mcp.json")
    }
}
