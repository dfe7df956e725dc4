import Foundation
import Logging
import PluginAPI

/// The running Piper processes, one per (model, length scale); the least recently used idle
/// one is stopped when a new one would exceed `maxProcesses` (busy ones are kept, so the count
/// may briefly exceed it). A dead or hung process is replaced on the next request.
actor PiperPool {
    private struct Key: Hashable {
        let model: PiperModel
        /// Rounded to 0.05 so that speeds set from a slider do not each start a process.
        let lengthScale: Double

        init(model: PiperModel, lengthScale: Double) {
            self.model = model
            self.lengthScale = (lengthScale * 20).rounded() / 20
        }
    }

    private var processes: [Key: PiperProcess] = [:]
    private var lastUse: [Key: ContinuousClock.Instant] = [:]
    private var inFlight: [Key: Int] = [:]
    /// Set by `stopAll`: a probe or request arriving during shutdown starts nothing.
    private var closed = false
    /// Processes being started, so that concurrent first requests share one.
    private var starting: [Key: Task<PiperProcess, any Error>] = [:]
    private let executable: String
    private let speaker: Int?
    private let timeout: Duration
    private let maxProcesses: Int
    private let name: String
    private let logger: Logger

    init(executable: String, speaker: Int?, timeout: Duration, maxProcesses: Int, name: String, logger: Logger) {
        self.executable = executable
        self.speaker = speaker
        self.timeout = timeout
        self.maxProcesses = maxProcesses
        self.name = name
        self.logger = logger
    }

    func speak(_ line: String, model: PiperModel, lengthScale: Double) async throws -> Data {
        let key = Key(model: model, lengthScale: lengthScale)
        let process = try await process(for: key)
        lastUse[key] = .now
        inFlight[key, default: 0] += 1
        defer { inFlight[key, default: 1] -= 1 }
        do {
            return try await process.speak(line)
        } catch {
            // Crashed or hung: the next request gets a fresh process.
            if processes[key] === process { processes[key] = nil }
            await process.stop()
            throw error
        }
    }

    func probe(_ model: PiperModel) async throws -> String {
        let process = try await process(for: Key(model: model, lengthScale: model.lengthScale))
        return "piper pid \(process.pid) alive, \(URL(fileURLWithPath: model.modelPath).lastPathComponent) at \(model.sampleRate) Hz"
    }

    func stopAll() async {
        closed = true
        let running = Array(processes.values)
        processes.removeAll()
        for process in running { await process.stop() }
    }

    private func process(for key: Key) async throws -> PiperProcess {
        guard !closed else { throw PiperModelError("\(name) is shutting down") }
        if let running = processes[key] {
            if running.isAlive { return running }
            // Dead: its temporary directory goes with it.
            processes[key] = nil
            await running.stop()
        }
        if let pending = starting[key] { return try await pending.value }
        let task = Task { try await self.start(key) }
        starting[key] = task
        defer { starting[key] = nil }
        let process = try await task.value
        processes[key] = process
        await evictIdle(keeping: key)
        return process
    }

    private func start(_ key: Key) async throws -> PiperProcess {
        // Only flags Piper knows: it speaks unknown ones as text.
        var argv = [executable, "-m", key.model.modelPath, "--length-scale", String(key.lengthScale)]
        if let speaker { argv += ["-s", String(speaker)] }
        let process = try PiperProcess(argv: argv, name: name, timeout: timeout, logger: logger)
        logger.info("piper started", metadata: ["pid": "\(process.pid)", "length_scale": "\(key.lengthScale)"])
        do {
            // The model loads before the first line is read: pay for it now, not in a conversation.
            _ = try await process.speak("Ready.")
        } catch {
            await process.stop()
            throw error
        }
        return process
    }

    private func evictIdle(keeping key: Key) async {
        while processes.count > maxProcesses {
            guard let oldest = processes.keys.filter({ $0 != key && inFlight[$0, default: 0] == 0 })
                .min(by: { (lastUse[$0] ?? .now) < (lastUse[$1] ?? .now) }) else { return }
            let process = processes.removeValue(forKey: oldest)
            lastUse[oldest] = nil
            await process?.stop()
        }
    }
}
