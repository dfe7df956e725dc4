#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PluginAPI

/// Keeps one engine the hub launched running: starts it, waits until it answers, restarts it
/// with backoff when it dies, and stops it (its whole process group) when the hub exits.
/// Its stdout and stderr go to a log file.
actor EngineSupervisor {
    enum Phase: String, Sendable {
        /// Not started yet (`start: first_use`).
        case idle
        case starting
        case running
        /// It died or failed to start; the next attempt comes after a backoff.
        case waitingToRestart = "restarting"
        case stopped
    }

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
    private(set) var phase: Phase = .idle
    private var process: ChildProcess?
    private var loop: Task<Void, Never>?
    private var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextWaiter: UInt64 = 0
    private var restarts = 0
    private var lastFailure: String?
    private var stopping = false

    init(name: String, spec: LaunchSpec, probe: any HealthProbe, stateDirectory: String, logger: Logger) {
        self.name = name
        self.spec = spec
        self.health = LaunchHealthCheck(check: spec.health, probe: probe, name: name)
        self.logFile = spec.logFile.map { Self.resolve($0, base: spec.baseDirectory) } ?? "\(stateDirectory)/engines/\(name).log"
        self.pidFile = EnginePIDFile(
            path: "\(stateDirectory)/engines/\(name).pid",
            executable: Self.resolve(spec.argv[0], base: spec.baseDirectory, onlyIfRelativePath: true))
        var logger = logger
        logger[metadataKey: "engine"] = "\(name)"
        self.logger = logger
    }

    var snapshot: Snapshot {
        Snapshot(phase: phase, pid: process?.pid, restarts: restarts, lastFailure: lastFailure, logFile: logFile)
    }

    /// Starts supervising (once); returns at once.
    func start() {
        guard loop == nil, !stopping else { return }
        loop = Task { await self.supervise() }
    }

    /// Returns once the engine answers; starts it first if needed. Throws when this start
    /// attempt fails (the caller then tries the next engine of its chain).
    func ensureRunning() async throws {
        if phase == .running { return }
        guard !stopping else { throw Failure.stopped(engine: name) }
        // `clawmux say` next to a running hub: that hub's engine answers (if it does not, the
        // request fails over like any other).
        if loop == nil, let launcher = pidFile.liveLauncher() {
            logger.info("using the engine another clawmux runs", metadata: ["launcher": "\(launcher)"])
            return
        }
        start()
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
        stopping = true
        loop?.cancel()
        if let process {
            logger.info("stopping engine", metadata: ["pid": "\(process.pid)"])
            await process.terminate(grace: .seconds(5))
        }
        await loop?.value
        pidFile.forget()
        phase = .stopped
        resumeWaiters(throwing: Failure.stopped(engine: name))
    }

    private func supervise() async {
        var backoff: Duration = .seconds(1)
        while !stopping && !Task.isCancelled {
            phase = .starting
            lastFailure = nil
            let started = ContinuousClock.now
            if let child = launch() {
                process = child
                await awaitHealthy(child, since: started)
                let wasRunning = phase == .running
                let termination = await child.waitForExit()
                process = nil
                guard !stopping else { break }
                // A start that timed out already said why.
                if wasRunning || lastFailure == nil { lastFailure = "\(termination)" }
                logger.error("engine exited", metadata: ["status": "\(termination)", "log": "\(logFile)"])
                resumeWaiters(throwing: Failure.startFailed(engine: name, detail: "it \(termination)", log: logFile))
            }
            // A run that lasted a while was a success: the next failure starts the backoff anew.
            if ContinuousClock.now - started > .seconds(60) { backoff = .seconds(1) }
            restarts += 1
            phase = .waitingToRestart
            logger.info("restarting engine after backoff", metadata: ["backoff": "\(backoff)"])
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(30))
        }
    }

    private func launch() -> ChildProcess? {
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
            logger.info("engine started", metadata: ["pid": "\(child.pid)", "log": "\(logFile)"])
            return child
        } catch {
            lastFailure = "\(error)"
            logger.error("cannot start engine", metadata: ["error": "\(error)"])
            resumeWaiters(throwing: Failure.startFailed(engine: name, detail: "\(error)", log: logFile))
            return nil
        }
    }

    private struct RunByAnother: Error, CustomStringConvertible {
        let launcher: Int32
        var description: String { "already run by clawmux pid \(launcher)" }
    }

    /// Polls the health check until it passes, the process exits, or the start timeout ends
    /// (then the process is killed and restarted).
    private func awaitHealthy(_ child: ChildProcess, since started: ContinuousClock.Instant) async {
        while !stopping {
            if child.termination != nil { return }
            if await health.passes() {
                guard child.termination == nil, !stopping else { return }
                phase = .running
                logger.notice("engine is up", metadata: ["took": "\(ContinuousClock.now - started)"])
                resumeWaiters(throwing: nil)
                return
            }
            if ContinuousClock.now - started > spec.startTimeout {
                lastFailure = "not healthy within \(spec.startTimeout)"
                logger.error("engine did not become healthy; killing it", metadata: ["timeout": "\(spec.startTimeout)"])
                resumeWaiters(throwing: Failure.startFailed(engine: name, detail: lastFailure ?? "", log: logFile))
                await child.terminate(grace: .seconds(2))
                return
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func resumeWaiters(throwing error: (any Error)?) {
        let pending = waiters.values
        waiters.removeAll()
        for waiter in pending {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
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
