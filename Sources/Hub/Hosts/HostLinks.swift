import Foundation
import Logging
import PluginRuntime
import Synchronization
import WireJSON

/// The executor of every host's `HostLinkMachine`: one master `ssh` per host (a child of the
/// hub, its control socket in `<state_dir>/ssh/`), ready once `ssh -O check` answers, restarted
/// when it ends. Later ssh calls to the host go through that one connection.
public actor HostLinks {
    public let hosts: [SSHHost]
    private let directory: String
    private let logger: Logger
    /// Names this hub's places on the hosts (`<state_dir>/hub-id`, made once).
    let hubID: String
    private var machines: [String: HostLinkMachine] = [:]
    private var masters: [String: ChildProcess] = [:]
    /// Each connected host's place, found when its link came up.
    private var places: [String: RemotePlace] = [:]
    /// The bridge on each connected host, once installed (checked again after a reconnect).
    private var bridges: [String: String] = [:]
    private var installs: [String: Task<String, any Error>] = [:]
    /// Why the last preparation of a host failed: ssh's reason is then ours.
    private var preparationFailures: [String: String] = [:]
    /// The port bridges reach the hub on, once it listens.
    private var hubPort: Int?
    private var portWaiters: [CheckedContinuation<Int?, Never>] = []
    private var connectedWaiters: [String: [CheckedContinuation<Bool, Never>]] = [:]
    private var stopped = false

    public init(hosts: [SSHHost], stateDirectory: String, logger: Logger) {
        self.hosts = hosts
        self.directory = URL(fileURLWithPath: stateDirectory).appendingPathComponent("ssh").path
        self.logger = logger
        self.hubID = HubIdentity.load(stateDirectory: stateDirectory)
        for host in hosts { machines[host.name] = HostLinkMachine(host: host.name) }
    }

    /// Known once the server listens (it may have asked for port 0); forwards wait for it.
    public func serverStarted(port: Int) {
        hubPort = port
        for waiter in portWaiters { waiter.resume(returning: port) }
        portWaiters.removeAll()
    }

    private func listeningPort() async -> Int? {
        if let hubPort { return hubPort }
        if stopped { return nil }
        return await withCheckedContinuation { portWaiters.append($0) }
    }

    /// Returns once `name` is connected (true), or the links stopped (false).
    func waitUntilConnected(_ name: String) async -> Bool {
        if machines[name]?.state == .connected { return true }
        if stopped || machines[name] == nil { return false }
        return await withCheckedContinuation { connectedWaiters[name, default: []].append($0) }
    }

    /// The host's place, when it is connected.
    func place(of name: String) throws -> RemotePlace {
        guard host(named: name) != nil else { throw HostError.unknown(name) }
        guard machines[name]?.state == .connected, let place = places[name] else {
            throw HostError.notConnected(host: name, reason: machines[name]?.lastError)
        }
        return place
    }

    nonisolated func host(named name: String) -> SSHHost? { hosts.first { $0.name == name } }

    /// The `clawmux-mcp` agents on the host start (`RemoteBridge`), installed on first use.
    /// Sessions started together on a host share one install (two copies at once would run a
    /// file still being written: "Text file busy").
    func bridgeCommand(on name: String, localBinary: String) async throws -> String {
        if let known = bridges[name] { return known }
        if let running = installs[name] { return try await running.value }
        let place = try place(of: name)
        guard let host = host(named: name) else { throw HostError.unknown(name) }
        let install = Task { try await RemoteBridge.install(on: host, place: place, localBinary: localBinary, links: self) }
        installs[name] = install
        defer { installs[name] = nil }
        let path = try await install.value
        if places[name] == place { bridges[name] = path }
        return path
    }

    func controlPath(_ host: SSHHost) -> String { "\(directory)/\(host.name).sock" }

    /// Connects to every host (at the hub's start). A master a killed hub left behind is told to
    /// exit first: it would hold its connection open for nobody.
    public func start() async {
        guard !hosts.isEmpty else { return }
        // Only the user may reach the control sockets: they open shells on the hosts.
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for host in hosts {
            if FileManager.default.fileExists(atPath: controlPath(host)) {
                _ = try? await ChildProcess.run(host.exitCommand(controlPath: controlPath(host)))
            }
            handle(.start, for: host)
        }
    }

    public func stop() async {
        stopped = true
        for host in hosts { _ = machines[host.name]?.handle(.stop, now: Date()) }
        for waiter in portWaiters { waiter.resume(returning: nil) }
        portWaiters.removeAll()
        for waiters in connectedWaiters.values { for waiter in waiters { waiter.resume(returning: false) } }
        connectedWaiters.removeAll()
        let running = masters.values
        masters.removeAll()
        for master in running { _ = await master.terminate(grace: .seconds(2)) }
    }

    private func handle(_ event: HostLinkMachine.Event, for host: SSHHost) {
        guard var machine = machines[host.name] else { return }
        let actions = machine.handle(event, now: Date())
        machines[host.name] = machine
        if machine.state == .connected, let waiters = connectedWaiters.removeValue(forKey: host.name) {
            for waiter in waiters { waiter.resume(returning: true) }
        }
        if machine.state != .connected {
            places[host.name] = nil
            bridges[host.name] = nil
        }
        for action in actions { perform(action, for: host) }
    }

    private func perform(_ action: HostLinkMachine.Action, for host: SSHHost) {
        switch action {
        case .startMaster:
            startMaster(host)
        case .retry(let pause):
            Task {
                try? await Task.sleep(for: pause)
                self.handle(.retryDue, for: host)
            }
        case .log(let message):
            logger.info("\(message)")
        }
    }

    private func startMaster(_ host: SSHHost) {
        let master: ChildProcess
        do {
            try? FileManager.default.removeItem(atPath: controlPath(host))   // a stale socket of a dead master
            master = try ChildProcess(argv: host.masterCommand(controlPath: controlPath(host)), stderr: .pipe)
        } catch {
            return handle(.ended(reason: "\(error)"), for: host)
        }
        masters[host.name] = master
        let said = LastLine()
        if let errors = master.errorOutput {
            Task { for await chunk in PipeReader.chunks(of: errors, name: "ssh \(host.name)") { said.add(chunk) } }
        }
        Task { await self.watchReady(host, master) }
        Task {
            let ended = await master.waitForExit()
            // Let the reader take ssh's last words before they are reported.
            try? await Task.sleep(for: .milliseconds(50))
            let failure = self.takePreparationFailure(host)
            self.masterEnded(host, master, reason: failure ?? said.line ?? "ssh \(ended)")
        }
    }

    private func takePreparationFailure(_ host: SSHHost) -> String? {
        preparationFailures.removeValue(forKey: host.name)
    }

    /// Asks the control socket until the master answers (or ends), then prepares the host: a
    /// link is up once the way back to the hub is.
    private func watchReady(_ host: SSHHost, _ master: ChildProcess) async {
        while master.termination == nil, masters[host.name] === master {
            if let check = try? await ChildProcess.run(host.checkCommand(controlPath: controlPath(host))), check.succeeded {
                guard masters[host.name] === master else { return }
                do {
                    let place = try await prepare(host)
                    guard masters[host.name] === master else { return }
                    places[host.name] = place
                    return handle(.ready, for: host)
                } catch {
                    // The master goes; its end reports this reason and the machine retries.
                    guard masters[host.name] === master else { return }
                    preparationFailures[host.name] = "\(error)"
                    master.signalGroup(SIGTERM)
                    return
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// On a fresh connection: finds the host's home, makes the hub's place there, and forwards
    /// its socket to the hub (after removing the one a dead connection left).
    private func prepare(_ host: SSHHost) async throws -> RemotePlace {
        let control = controlPath(host)
        let home = try await ChildProcess.run(host.runCommand(controlPath: control, ["sh", "-c", RemotePlace.homeScript]), timeout: .seconds(30))
        let homePath = home.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard home.succeeded, homePath.hasPrefix("/") else {
            throw HostError.preparation(host: host.name, "cannot find the home folder: \(home.complaint)")
        }
        let place = RemotePlace(home: homePath, hubID: hubID, hostName: host.name)
        guard place.fitsSocketPath else { throw HostError.preparation(host: host.name, "the socket path \(place.socket) is too long") }
        let made = try await ChildProcess.run(host.runCommand(controlPath: control, ["sh", "-c", RemotePlace.prepareScript, "sh", place.base, place.socket]),
                                              timeout: .seconds(30))
        guard made.succeeded else {
            throw HostError.preparation(host: host.name, "cannot make \(place.base): \(made.complaint)")
        }
        guard let port = await listeningPort() else { throw HostError.notConnected(host: host.name, reason: "the hub is stopping") }
        let forwarded = try await ChildProcess.run(host.forwardSocketCommand(controlPath: control, remoteSocket: place.socket, to: port),
                                                   timeout: .seconds(30))
        guard forwarded.succeeded else {
            throw HostError.preparation(host: host.name, "cannot forward \(place.socket) to the hub: \(forwarded.complaint)")
        }
        return place
    }

    private func masterEnded(_ host: SSHHost, _ master: ChildProcess, reason: String) {
        guard masters[host.name] === master else { return }
        masters[host.name] = nil
        handle(.ended(reason: reason), for: host)
    }

    public enum HostError: Error, CustomStringConvertible, Equatable {
        case unknown(String)
        case notConnected(host: String, reason: String?)
        case preparation(host: String, String)
        case timedOut(host: String, command: String, after: Duration)

        public var description: String {
            switch self {
            case .unknown(let host): "no host '\(host)' in the config"
            case .notConnected(let host, let reason): "host \(host) is not connected" + (reason.map { ": \($0)" } ?? "")
            case .preparation(let host, let detail): "host \(host): \(detail)"
            case .timedOut(let host, let command, let after): "host \(host): \(command) did not finish within \(after) (is the host or its login shell stuck?)"
            }
        }
    }

    /// Runs `argv` on the host over its master connection: what it printed and how it ended.
    /// Off the actor once started: commands to one host run side by side. One that takes longer
    /// than `timeout` (a host that hangs, a login shell that waits on something) is killed and
    /// reported, so nothing of the hub waits on a host for ever.
    public func run(
        _ argv: [String], on name: String, input: Data? = nil, inputFile: String? = nil, timeout: Duration = .seconds(30),
        limit: Int = 1 << 20
    ) async throws -> ChildProcess.Output {
        guard let host = host(named: name) else { throw HostError.unknown(name) }
        guard let machine = machines[name], machine.state == .connected else {
            throw HostError.notConnected(host: name, reason: machines[name]?.lastError)
        }
        let output = try await Self.execute(host.runCommand(controlPath: controlPath(host), argv), input: input, inputFile: inputFile,
                                            timeout: timeout, limit: limit)
        guard output.termination != .signalled(SIGKILL) else {
            throw HostError.timedOut(host: name, command: argv.first ?? "", after: timeout)
        }
        return output
    }

    private nonisolated static func execute(
        _ argv: [String], input: Data?, inputFile: String?, timeout: Duration, limit: Int
    ) async throws -> ChildProcess.Output {
        try await ChildProcess.run(argv, input: input, inputFile: inputFile, limit: limit, timeout: timeout)
    }

    /// Whether the host's link is up now.
    func isConnected(_ name: String) -> Bool { machines[name]?.state == .connected }

    /// `GET /api/hosts`.
    public func report() -> JSONValue {
        .array(hosts.map { host in
            let machine = machines[host.name]
            return .object([
                "name": .string(host.name), "destination": .string(host.destination),
                "status": .string(machine?.state.rawValue ?? "down"),
                "last_error": machine?.lastError.map(JSONValue.string) ?? .null,
                "since": .double(machine?.since.timeIntervalSince1970 ?? 0),
            ])
        })
    }
}

/// The last non-empty line a process printed (ssh's reason for giving up).
final class LastLine: Sendable {
    private let text = Mutex("")

    func add(_ chunk: Data) {
        text.withLock { $0 = String(($0 + String(decoding: chunk, as: UTF8.self)).suffix(4096)) }
    }

    var line: String? {
        text.withLock { $0 }.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty }
    }
}
