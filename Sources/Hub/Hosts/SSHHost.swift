import Foundation
import PluginAPI

/// A machine the hub reaches with the user's own `ssh` (config `hosts:`): the user's ssh config
/// and agent apply; the hub only adds its control socket and that it must never prompt.
public struct SSHHost: Sendable, Equatable {
    public var name: String
    /// What `ssh` is given: `user@host`, or a `Host` alias of the user's ssh config.
    public var destination: String
    public var port: Int?
    public var identity: String?
    /// More `-o` options, e.g. `StrictHostKeyChecking=accept-new`.
    public var options: [String]
    /// The `clawmux-mcp` to run on the host; nil: the hub copies its own there (same system).
    public var bridge: String?
    /// Folders on the host that New Session offers.
    public var projects: [String]

    init(name: String, node: ConfigNode, baseDirectory: String) throws {
        try node.rejectUnknownKeys(allowed: ["destination", "port", "identity", "options", "bridge", "projects"])
        // It names the control socket's file.
        guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ConfigError(at: node.location, "a host's name is letters, digits, - and _ (at most 32)")
        }
        self.name = name
        let destination = try node.required("destination")
        self.destination = try destination.stringValue()
        // ssh would take "-oProxyCommand=…" as an option, not a host.
        guard !self.destination.isEmpty, !self.destination.hasPrefix("-"), !self.destination.contains(where: \.isWhitespace) else {
            throw ConfigError(at: destination.location, "expected user@host or a Host of your ssh config")
        }
        port = try node.optional("port")?.intValue(in: 1...65535)
        identity = try node.optional("identity").map { path in
            let text = try path.stringValue()
            return text.hasPrefix("/") || text.hasPrefix("~") ? text : URL(fileURLWithPath: baseDirectory).appendingPathComponent(text).path
        }
        options = try node.optional("options")?.stringList() ?? []
        for (index, option) in options.enumerated() where !option.contains("=") || option.hasPrefix("-") {
            throw ConfigError(at: try node.required("options").items()[index].location, "expected an ssh option as Name=value")
        }
        bridge = try node.optional("bridge").map { path in
            let text = try path.stringValue()
            guard text.hasPrefix("/") else { throw ConfigError(at: path.location, "expected the absolute path of clawmux-mcp on the host") }
            return text
        }
        // Paths on the host: `~/…` is the host's home, resolved there.
        projects = try (node.optional("projects")?.items() ?? []).map { item in
            // YAML reads a bare ~ as null.
            if item.isNull { throw ConfigError(at: item.location, "a bare ~ is YAML's null: write \"~\" in quotes for the home folder") }
            let text = try item.stringValue()
            guard text.hasPrefix("/") || text.hasPrefix("~/") || text == "~" else {
                throw ConfigError(at: item.location, "expected an absolute path on the host (or ~/...)")
            }
            return text
        }
    }

    /// The arguments every ssh call to this host gets (before the destination): never a password
    /// prompt, the hub's control socket, the host's own settings. A command finds the master
    /// gone at times (it is being restarted) and then connects on its own: that connection too
    /// notices a dead link within seconds instead of hanging.
    func arguments(controlPath: String) -> [String] {
        var arguments = ["-o", "BatchMode=yes", "-o", "ControlPath=\(controlPath)", "-o", "ConnectTimeout=10",
                         "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=2"]
        if let port { arguments += ["-p", "\(port)"] }
        if let identity { arguments += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
        for option in options { arguments += ["-o", option] }
        return arguments
    }

    /// The master connection: stays in the foreground (the hub is its parent) and notices a dead
    /// link within seconds.
    func masterCommand(controlPath: String) -> [String] {
        ["ssh", "-M", "-N", "-o", "ControlPersist=no"] + arguments(controlPath: controlPath) + ["--", destination]
    }

    /// Tells the master on the control socket to end.
    func exitCommand(controlPath: String) -> [String] {
        ["ssh", "-O", "exit"] + arguments(controlPath: controlPath) + ["--", destination]
    }

    /// `argv` run on the host through the master connection (no new login).
    func runCommand(controlPath: String, _ argv: [String]) -> [String] {
        ["ssh"] + arguments(controlPath: controlPath) + ["--", destination, RemoteCommand.line(argv)]
    }

    /// Asks the master for a UNIX socket on the host (mode 0600: only the user's) that leads to
    /// `localPort` on our loopback: how the bridges on the host reach the hub.
    func forwardSocketCommand(controlPath: String, remoteSocket: String, to localPort: Int) -> [String] {
        ["ssh", "-O", "forward"] + Self.forwardSocketArguments(remoteSocket, port: localPort) + arguments(controlPath: controlPath) + ["--", destination]
    }

    static func forwardSocketArguments(_ remoteSocket: String, port: Int) -> [String] {
        ["-R", "\(remoteSocket):127.0.0.1:\(port)"]
    }

    /// Whether the master answers on its control socket.
    func checkCommand(controlPath: String) -> [String] {
        ["ssh", "-O", "check"] + arguments(controlPath: controlPath) + ["--", destination]
    }
}
