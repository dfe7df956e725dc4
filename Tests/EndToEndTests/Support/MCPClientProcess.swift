import Foundation
import Hub
import Logging
import MCP
import ClawMuxTesting

/// A real `clawmux mcp` child spoken to over stdio by the SDK's MCP client, as Claude Code would.
struct MCPClientProcess {
    let client: Client
    let process: Process
    /// Our ends of the child's stdin and stdout, kept alive for the child's lifetime
    /// (a FileHandle closes its descriptor when it goes away).
    let pipes: [FileHandle]

    static func start(environment: [String: String]) async throws -> MCPClientProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.clawmux)
        process.arguments = ["mcp"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Blocking.pipe(), stdout = Blocking.pipe()
        process.standardInput = stdin.read
        process.standardOutput = stdout.write
        process.standardError = FileHandle.nullDevice
        try process.run()
        try stdin.read.close()
        try stdout.write.close()
        let client = Client(name: "test-client", version: "1.0")
        let transport = LineTransport(
            input: stdout.read.fileDescriptor, output: stdin.write.fileDescriptor, endOfInput: .fail,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await client.connect(transport: transport)
        return MCPClientProcess(client: client, process: process, pipes: [stdin.write, stdout.read])
    }

    func callText(_ tool: String, _ arguments: [String: Value] = [:], meta: Metadata? = nil) async throws -> String {
        let (content, _) = try await client.callTool(name: tool, arguments: arguments, meta: meta)
        return content.compactMap { item -> String? in
            if case .text(let text, _, _) = item { return text }
            return nil
        }.joined()
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}
