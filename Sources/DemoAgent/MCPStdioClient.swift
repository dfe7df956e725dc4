import Foundation
import Synchronization
import WireJSON

/// What the demo agent needs of an MCP client (Claude Code's part): the handshake, the tool
/// list and tool calls, as newline-delimited JSON-RPC over the server's stdio. One request at
/// a time, on a queue of its own: reads block, and must not block Swift's shared threads.
final class MCPStdioClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let input: Int32   // the server's stdin
    private let output: Int32  // the server's stdout
    private let queue = DispatchQueue(label: "clawmux.demo-agent.mcp")
    private let state = Mutex<(nextID: Int, buffer: [UInt8])>((1, []))

    init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
    }

    func initialize() async throws {
        _ = try await request("initialize", [
            "protocolVersion": .string("2025-06-18"),
            "capabilities": .object([:]),
            "clientInfo": .object(["name": .string("clawmux-demo-agent"), "version": .string("1.0.0")]),
        ])
        try await run { try self.send(.object(["jsonrpc": .string("2.0"), "method": .string("notifications/initialized")])) }
    }

    func toolNames() async throws -> [String] {
        let result = try await request("tools/list", [:])
        return result["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }

    /// The text of a tool's result (its text items joined).
    func callTool(_ name: String, _ arguments: [String: JSONValue]) async throws -> String {
        let result = try await request("tools/call", ["name": .string(name), "arguments": .object(arguments)])
        return result["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: " ") ?? ""
    }

    private func request(_ method: String, _ params: [String: JSONValue]) async throws -> JSONValue {
        try await run {
            let id = self.state.withLock { state in
                defer { state.nextID += 1 }
                return state.nextID
            }
            try self.send(.object([
                "jsonrpc": .string("2.0"), "id": .number(Double(id)), "method": .string(method), "params": .object(params),
            ]))
            // Notifications (progress, logs) may come first; the answer carries our id.
            while true {
                let message = try self.readMessage()
                // A reply with no id is the server refusing what it could not read: ours.
                if message["error"] != nil, message["id"] == .null || message["id"] == nil {
                    throw Failure(description: "\(method) failed: \(message["error"]?["message"]?.stringValue ?? "")")
                }
                // Requests from the server carry a method (and their own ids): not our answer.
                guard message["method"] == nil, message["id"]?.doubleValue == Double(id) else { continue }
                if let error = message["error"] {
                    throw Failure(description: "\(method) failed: \(error["message"]?.stringValue ?? error.encodedText())")
                }
                return message["result"] ?? .object([:])
            }
        }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func send(_ message: JSONValue) throws {
        let bytes = Array((message.encodedText() + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "the MCP server closed its input") }
            offset += written
        }
    }

    private func readMessage() throws -> JSONValue {
        try state.withLock { state -> JSONValue in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                if let newline = state.buffer.firstIndex(of: 10) {
                    let line = Array(state.buffer[..<newline])
                    state.buffer.removeFirst(newline + 1)
                    if let message = JSONValue.decode(String(decoding: line, as: UTF8.self)) { return message }
                    continue
                }
                let count = read(output, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw Failure(description: "the MCP server closed its output") }
                state.buffer += chunk[0..<count]
            }
        }
    }
}
