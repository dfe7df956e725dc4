#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PluginAPI
import PluginRuntime

/// Keeps one engine the hub launched running: starts it, waits until it answers, restarts it
/// with backoff when it dies, and stops it (its whole process group) when the hub exits.
/// Its stdout and stderr go to a log file.
actor EngineSupervisor {
    typealias Phase = EngineSupervisorMachine.Phase

    struct Snapshot: Sendable {
        let phase: Phase
        let pid: Int32?
        let restarts: Int
        let lastFailure: String?
        let logFile: String
    }

    enum Failure: Error, CustomStringConvertible {
        case startFailed(engine: String, detail: String, log: String)
        case stopped(engine: String)

        var description: String {
            switch self {
            case .startFailed(let engine, let detail, let log): "\(engine) is not running: \(detail) (log: \(log))"
            case .stopped(let engine): "\(engine) is stopped (the hub is shutting down)"
            }
        }
    }

    let name: String
    let logFile: String
    /// The running engine's pid, so that a hub that died without stopping it (SIGKILL, a crash)
    /// can end the leftover at its next start instead of finding the port taken.
    let pidFile: EnginePIDFile
    private let spec: LaunchSpec
    private let health: LaunchHealthCheck
    private let logger: Logger
    private var machine: EngineSupervisorMachine
    /// The current attempt's process.
    private var process: (attempt: Int, child: ChildProcess)?
    /// The health check or restart timer in flight (one at a time), ended at `stop`.
    private var timer: Task<Void, Never>?
    private var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextWaiter: UInt64 = 0

    init(name: String, spec: LaunchSpec, probe: any HealthProbe, stateDirectory: String, logger: Logger) {
        self.name = name
        self.spec = spec
        self.health = LaunchHealthCheck(check: spec.health, probe: probe, name: name)
        let logFile = spec.logFile.map { Self.resolve($0, base: spec.baseDirectory) } ?? "\(stateDirectory)/engines/\(name).log"
        self.logFile = logFile
        self.pidFile = EnginePIDFile(
            path: "\(stateDirectory)/engines/\(name).pid",
            executable: Self.resolve(spec.argv[0], base: spec.baseDirectory, onlyIfRelativePath: true))
        var logger = logger
        logger[metadataKey: "engine"] = "\(name)"
        self.logger = logger
        machine = EngineSupervisorMachine(startTimeout: spec.startTimeout, logFile: logFile)
    }

    var phase: Phase { machine.phase }

    var snapshot: Snapshot {
        Snapshot(phase: machine.phase, pid: process?.child.pid, restarts: machine.restarts, lastFailure: machine.lastFailure, logFile: logFile)
    }

    /// Starts supervising (once); returns at once.
    func start() async {
        await handle(.start)
    }

    /// Returns once the engine answers; starts it first if needed. Throws when this start
    /// attempt fails (the caller then tries the next engine of its chain).
    func ensureRunning() async throws {
        if machine.phase == .running { return }
        guard !machine.stopping else { throw Failure.stopped(engine: name) }
        // `clawmux say` next to a running hub: that hub's engine answers (if it does not, the
        // request fails over like any other).
        if !machine.hasStarted, let launcher = pidFile.liveLauncher() {
            logger.info("using the engine another clawmux runs", metadata: ["launcher": "\(launcher)"])
            return
        }
        await start()
        nextWaiter += 1
        let id = nextWaiter
        // A caller that gives up (its session ended) stops waiting at once.
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }

    /// Stops the engine and its process group; no restart follows.
    func stop() async {
        timer?.cancel()
        await handle(.stop)
        timer?.cancel()
        await handle(.stopped)
    }

    private func handle(_ event: EngineSupervisorMachine.Event) async {
        await perform(machine.handle(event, now: .now))
    }

    private func perform(_ actions: [EngineSupervisorMachine.Action]) async {
        for action in actions {
            switch action {
            case .launch(let attempt):
                await launch(attempt)
            case .checkHealth(let attempt, let delay):
                timer = Task {
                    if delay > .zero { try? await Task.sleep(for: delay) }
                    guard !Task.isCancelled, let child = self.child(of: attempt) else { return }
                    let passed = await self.health.passes()
                    guard !Task.isCancelled else { return }
                    await self.handle(.healthChecked(attempt: attempt, passed: passed, exited: child.termination != nil))
                }
            case .terminate(let attempt, let grace):
                guard let child = child(of: attempt) else { continue }
                logger.info("stopping engine", metadata: ["pid": "\(child.pid)"])
                await child.terminate(grace: grace)
            case .restart(let attempt, let delay):
                timer = Task {
                    try? await Task.sleep(for: delay)
                    guard !Task.isCancelled else { return }
                    await self.handle(.backoffElapsed(attempt: attempt))
                }
            case .answerWaiters(let answer):
                let pending = waiters.values
                waiters.removeAll()
                for waiter in pending {
                    switch answer {
                    case .running: waiter.resume()
                    case .failed(let detail): waiter.resume(throwing: Failure.startFailed(engine: name, detail: detail, log: logFile))
                    case .stopped: waiter.resume(throwing: Failure.stopped(engine: name))
                    }
                }
            case .forgetPIDFile:
                pidFile.forget()
            case .log(let level, let message):
                logger.log(level: level, "\(message)")
            }
        }
    }

    private func child(of attempt: Int) -> ChildProcess? {
        process?.attempt == attempt ? process?.child : nil
    }

    private func launch(_ attempt: Int) async {
        let argv = [pidFile.executable] + spec.argv.dropFirst().map(spec.expandingConfigDirectory)
        do {
            // Another hub on the same state dir: its engine is not ours to end.
            if let launcher = pidFile.liveLauncher() { throw RunByAnother(launcher: launcher) }
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: logFile).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: pidFile.path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            pidFile.stopLeftover(logger: logger)
            appendToLog("--- \(Date()) clawmux starts: \(argv.joined(separator: " "))\n")
            let child = try ChildProcess(
                argv: argv, environment: spec.environment.mapValues(spec.expandingConfigDirectory), stdout: .file(logFile), stderr: .stdout)
            pidFile.record(child.pid)
            process = (attempt, child)
            Task {
                let termination = await child.waitForExit()
                await self.exited(attempt, termination: "\(termination)")
            }
            await handle(.launched(attempt: attempt, pid: child.pid))
        } catch {
            await handle(.launchFailed(attempt: attempt, error: "\(error)"))
        }
    }

    private func exited(_ attempt: Int, termination: String) async {
        if process?.attempt == attempt { process = nil }
        await handle(.exited(attempt: attempt, status: termination))
    }

    private struct RunByAnother: Error, CustomStringConvertible {
        let launcher: Int32
        var description: String { "already run by clawmux pid \(launcher)" }
    }

    private func appendToLog(_ line: String) {
        let fd = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = Array(line.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Relative paths are taken from the config file's directory; a bare command name
    /// (no slash) is left for a PATH lookup when `onlyIfRelativePath`.
    static func resolve(_ path: String, base: String, onlyIfRelativePath: Bool = false) -> String {
        let path = path.replacingOccurrences(of: "{config_dir}", with: base)
        if path.hasPrefix("/") || (onlyIfRelativePath && !path.contains("/")) { return path }
        return URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }
}
