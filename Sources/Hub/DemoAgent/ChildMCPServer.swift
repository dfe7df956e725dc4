import Foundation

/// An MCP server started as a child over pipes (what Claude Code does with `.mcp.json`).
struct ChildMCPServer: Sendable {
    private let process: Process
    /// Write requests here (the child's stdin).
    let inputFD: Int32
    /// Read responses here (the child's stdout).
    let outputFD: Int32

    static func start(_ entry: MCPServerEntry) throws -> ChildMCPServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: entry.command)
        process.arguments = entry.arguments
        process.environment = ProcessInfo.processInfo.environment.merging(entry.environment) { $1 }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        // The child's logs go to our stderr, as Claude Code shows MCP server logs.
        process.standardError = FileHandle.standardError
        // Without its MCP server the agent can do nothing: stop, as Claude Code's session would fail.
        process.terminationHandler = { child in
            Console.error("demo-agent: the MCP server exited (status \(child.terminationStatus)); stopping")
            exit(1)
        }
        try process.run()
        return ChildMCPServer(
            process: process,
            inputFD: stdin.fileHandleForWriting.fileDescriptor,
            outputFD: stdout.fileHandleForReading.fileDescriptor)
    }

    func stop() {
        process.terminationHandler = nil
        if process.isRunning { process.terminate() }
    }
}
