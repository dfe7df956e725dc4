#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PluginRuntime

/// An MCP server started as a child over pipes (what Claude Code does with `.mcp.json`).
struct ChildMCPServer: Sendable {
    private let process: ChildProcess
    /// Fired by `stop`: the child's exit is expected from then on.
    private let stopping = OnceSignal()
    /// Write requests here (the child's stdin).
    let inputFD: Int32
    /// Read responses here (the child's stdout).
    let outputFD: Int32

    static func start(_ entry: MCPServerEntry) throws -> ChildMCPServer {
        // The child's logs go to our stderr, as Claude Code shows MCP server logs.
        let process = try ChildProcess(
            argv: [entry.command] + entry.arguments, environment: entry.environment,
            stdin: .pipe, stdout: .pipe, stderr: .descriptor(STDERR_FILENO))
        guard let input = process.input, let output = process.output else {
            process.signalGroup(SIGKILL)
            throw ChildProcess.LaunchError.openFile("a pipe", errno: EBADF)
        }
        let server = ChildMCPServer(process: process, inputFD: input.fileDescriptor, outputFD: output.fileDescriptor)
        // Without its MCP server the agent can do nothing: stop, as Claude Code's session would fail.
        Task {
            let termination = await process.waitForExit()
            guard !server.stopping.hasFired else { return }
            Console.error("demo-agent: the MCP server exited (\(termination)); stopping")
            exit(1)
        }
        return server
    }

    func stop() {
        stopping.fire()
        process.signalGroup(SIGTERM)
    }
}
