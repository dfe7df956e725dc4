import Foundation
import PluginRuntime
import Logging

/// `clawmux demo-agent`: a stand-in for Claude Code. Run in a session dir, it starts the MCP
/// server listed in `./.mcp.json` over stdio and converses in a loop: it greets, then repeats
/// what it heard ("You said: ...").
public struct DemoAgent: Sendable {
    public struct Options: Sendable {
        /// Stop after this many converse calls (nil: forever).
        public var turns: Int?
        /// After the last turn, stay connected without conversing (an agent busy with other work).
        public var stay = false
        /// Print this question and wait for Enter before starting, like Claude Code's trust prompt.
        public var askFirst: String?
        public var greeting: String
        /// How long to wait after "(session muted)" before speaking again.
        public var mutedPause: Duration = .seconds(5)
        /// Benchmark mode (`clawmux-bench`): this many checked turns instead of the conversation.
        public var bench: Bench?

        public init(turns: Int? = nil, askFirst: String? = nil, greeting: String = "Hello! I'm the ClawMux demo agent. Say something and I'll repeat it.") {
            self.turns = turns
            self.askFirst = askFirst
            self.greeting = greeting
        }
    }

    let options: Options
    let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(configPath: String = ".mcp.json") async throws {
        if let question = options.askFirst {
            say("\(question) (press Enter to continue)")
            _ = readLine()
            say("Thanks, continuing.")
        }
        let (client, child, serverName) = try await connect(configPath: configPath)
        defer { child.stop() }
        if let bench = options.bench {
            try await runBench(bench, client: client)
            return
        }
        say("Connected to the '\(serverName)' MCP server; starting the conversation.")
        var message = options.greeting
        var turn = 0
        while options.turns.map({ turn < $0 }) ?? true {
            turn += 1
            say("Agent: \(message)")
            let heard = try await client.callTool("converse", ["message": .string(message)])
            say("User: \(heard)")
            // A muted microphone answers at once: give the user time before asking again.
            if heard == "(session muted)" || heard.hasPrefix("(nobody is listening") { try await Task.sleep(for: options.mutedPause) }
            message = Self.answer(to: heard)
        }
        if options.stay {
            say("Done talking; staying connected.")
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        // Returning stops the MCP server (the caller's defer), as Claude Code does when it exits.
    }

    /// Starts the MCP server of `.mcp.json` and checks it offers `converse`.
    private func connect(configPath: String) async throws -> (MCPStdioClient, ChildMCPServer, String) {
        let server = try MCPServerEntry.load(from: configPath)
        let child = try ChildMCPServer.start(server)
        let client = MCPStdioClient(input: child.inputFD, output: child.outputFD)
        do {
            try await client.initialize()
            let tools = try await client.toolNames()
            guard tools.contains("converse") else { throw DemoAgentError.noConverseTool(tools) }
        } catch {
            child.stop()
            throw error
        }
        return (client, child, server.name)
    }

    /// Unbuffered, so the terminal (and the hub's log of it) shows each line at once.
    private func say(_ line: String) {
        Console.out(line)
    }

    static func answer(to heard: String) -> String {
        switch heard {
        case "(session muted)": "You're muted. Unmute when you want to talk."
        case let text where text.hasPrefix("(nobody is listening"): "Is anyone there? Say something when you're back."
        case "(no speech detected)": "I didn't hear anything. Could you say that again?"
        case let text where text.hasPrefix("Error:"): "Something went wrong: \(text.dropFirst(6).trimmingCharacters(in: .whitespaces).prefix(200))"
        default: "You said: \(heard)"
        }
    }
}

enum DemoAgentError: Error, CustomStringConvertible {
    case noConverseTool([String])
    case badConfig(String)

    var description: String {
        switch self {
        case .noConverseTool(let tools): "the MCP server has no converse tool (tools: \(tools.joined(separator: ", ")))"
        case .badConfig(let reason): "cannot use .mcp.json: \(reason)"
        }
    }
}
