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
    private var machines: [String: HostLinkMachine] = [:]
    private var masters: [String: ChildProcess] = [:]

    public init(hosts: [SSHHost], stateDirectory: String, logger: Logger) {
        self.hosts = hosts
        self.directory = URL(fileURLWithPath: stateDirectory).appendingPathComponent("ssh").path
        self.logger = logger
        for host in hosts { machines[host.name] = HostLinkMachine(host: host.name) }
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
        for host in hosts { _ = machines[host.name]?.handle(.stop, now: Date()) }
        let running = masters.values
        masters.removeAll()
        for master in running { _ = await master.terminate(grace: .seconds(2)) }
    }

    private func handle(_ event: HostLinkMachine.Event, for host: SSHHost) {
        guard var machine = machines[host.name] else { return }
        let actions = machine.handle(event, now: Date())
        machines[host.name] = machine
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
            self.masterEnded(host, master, reason: said.line ?? "ssh \(ended)")
        }
    }

    /// Asks the control socket until the master answers (or ends).
    private func watchReady(_ host: SSHHost, _ master: ChildProcess) async {
        while master.termination == nil, masters[host.name] === master {
            if let check = try? await ChildProcess.run(host.checkCommand(controlPath: controlPath(host))), check.succeeded {
                guard masters[host.name] === master else { return }
                return handle(.ready, for: host)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func masterEnded(_ host: SSHHost, _ master: ChildProcess, reason: String) {
        guard masters[host.name] === master else { return }
        masters[host.name] = nil
        handle(.ended(reason: reason), for: host)
    }

    public enum HostError: Error, CustomStringConvertible, Equatable {
        case unknown(String)
        case notConnected(host: String, reason: String?)

        public var description: String {
            switch self {
            case .unknown(let host): "no host '\(host)' in the config"
            case .notConnected(let host, let reason): "host \(host) is not connected" + (reason.map { ": \($0)" } ?? "")
            }
        }
    }

    /// Runs `argv` on the host over its master connection: what it printed and how it ended.
    public func run(_ argv: [String], on name: String) async throws -> ChildProcess.Output {
        guard let host = hosts.first(where: { $0.name == name }) else { throw HostError.unknown(name) }
        guard let machine = machines[name], machine.state == .connected else {
            throw HostError.notConnected(host: name, reason: machines[name]?.lastError)
        }
        return try await ChildProcess.run(host.runCommand(controlPath: controlPath(host), argv))
    }

    /// A port on the host's loopback that reaches `localPort` on ours, through the master
    /// connection (how a bridge on the host will reach the hub).
    public func forward(to localPort: Int, on name: String) async throws -> Int {
        guard let host = hosts.first(where: { $0.name == name }) else { throw HostError.unknown(name) }
        guard let machine = machines[name], machine.state == .connected else {
            throw HostError.notConnected(host: name, reason: machines[name]?.lastError)
        }
        let output = try await ChildProcess.run(host.forwardCommand(controlPath: controlPath(host), to: localPort))
        guard output.succeeded, let port = Int(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HostError.notConnected(host: name, reason: "no forwarded port: " + output.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return port
    }

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
