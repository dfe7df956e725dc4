import Foundation
import WireJSON

/// The demo agent's benchmark mode: `turns` converse calls whose answers it can check (the
/// benchmark's browser answers "echo: <message>", which its fake STT returns verbatim), timed
/// as the agent sees them. Each turn is a JSON line in `report`; then the agent stays, so the
/// benchmark can read its bridge's CPU time before it ends the session.
extension DemoAgent {
    public struct Bench: Sendable {
        public var turns: Int
        public var report: String
        /// A FIFO the agent makes and waits on: the benchmark opens it once every session is
        /// ready, so the timed turns do not overlap the spawning.
        public var startSignal: String?
        /// Calls of `voice_chat_status` (answered by the hub at once) timed before the turns:
        /// the cost of one MCP tool call through the bridge.
        public var statusCalls: Int
        /// The agent's "thinking" between turns (zero: back to back, the hub saturated).
        public var pause: Duration
        /// A person's voice answers (the latency benchmark): the agent says these, in turn, and
        /// checks each answer against `expected` (most of its words, as speech-to-text hears them).
        public var messages: [String]
        public var expected: String?

        public init(turns: Int, report: String, startSignal: String? = nil, statusCalls: Int = 0, pause: Duration = .zero,
                    messages: [String] = [], expected: String? = nil) {
            self.turns = turns
            self.report = report
            self.startSignal = startSignal
            self.statusCalls = statusCalls
            self.pause = pause
            self.messages = messages
            self.expected = expected
        }

        /// What the benchmark's browser answers to `message`.
        public static func answer(to message: String) -> String { "echo: " + message }

        func message(turn: Int, nonce: Substring) -> String {
            messages.isEmpty ? "bench \(nonce) turn \(turn)" : messages[(turn - 1) % messages.count]
        }

        func isRight(_ heard: String, to message: String) -> Bool {
            guard let expected else { return heard == Self.answer(to: message) }
            let wanted = Self.words(expected)
            let got = Set(Self.words(heard))
            return !wanted.isEmpty && Double(wanted.filter(got.contains).count) >= 0.8 * Double(wanted.count)
        }

        static func words(_ text: String) -> [String] {
            text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        }
    }

    func runBench(_ bench: Bench, client: MCPStdioClient) async throws {
        guard FileManager.default.createFile(atPath: bench.report, contents: nil, attributes: [.posixPermissions: 0o600]),
              let report = FileHandle(forWritingAtPath: bench.report) else {
            throw DemoAgentError.badConfig("cannot write the bench report \(bench.report)")
        }
        defer { try? report.close() }
        if let fifo = bench.startSignal { await Self.waitForSignal(fifo) }
        if bench.statusCalls > 0 {
            var times: [Double] = []
            for _ in 0..<bench.statusCalls {
                let started = ContinuousClock.now
                _ = try await client.callTool("voice_chat_status", [:])
                times.append(Self.milliseconds(ContinuousClock.now - started))
            }
            let line = JSONValue.object(["status_ms": .array(times.map(JSONValue.double))])
            try report.write(contentsOf: Data((line.encodedText() + "\n").utf8))
        }
        let nonce = UUID().uuidString.prefix(8)
        for turn in 1...max(1, bench.turns) {
            // Paced agents think a random while (mean `pause`), the first one too: all of them
            // released at one instant would otherwise stay in lockstep and measure one burst.
            if bench.pause > .zero {
                try await Task.sleep(for: bench.pause * (turn == 1 ? Double.random(in: 0...1) : Double.random(in: 0...2)))
            }
            let message = bench.message(turn: turn, nonce: nonce)
            let calledAt = Date().timeIntervalSince1970
            let started = ContinuousClock.now
            let heard: String
            do {
                heard = try await client.callTool("converse", ["message": .string(message)])
            } catch {
                heard = "Error: \(error)"
            }
            let took = ContinuousClock.now - started
            let line = JSONValue.object([
                "turn": .int(turn), "ok": .bool(bench.isRight(heard, to: message)), "called_at": .double(calledAt),
                "ms": .double(Self.milliseconds(took)),
                "heard": .string(String(heard.prefix(200))), "at": .double(Date().timeIntervalSince1970),
            ])
            try report.write(contentsOf: Data((line.encodedText() + "\n").utf8))
        }
        try report.write(contentsOf: Data(#"{"done":true}"#.utf8) + Data("\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Blocks (on a thread of its own) until a writer opens and closes the FIFO.
    private static func waitForSignal(_ path: String) async {
        unlink(path)
        guard mkfifo(path, 0o600) == 0 else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let fd = open(path, O_RDONLY)
                if fd >= 0 {
                    var byte: UInt8 = 0
                    while read(fd, &byte, 1) > 0 {}
                    close(fd)
                }
                continuation.resume()
            }
        }
    }
}
