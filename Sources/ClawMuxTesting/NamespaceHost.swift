#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A "remote" machine on this one: a network namespace joined to ours by a veth pair, running its
/// own sshd on the namespace's address only, reached with a key the test generates. It shares our
/// file system (so the same binaries are "on the host"). Needs root, `ip` and Debian's
/// openssh-server (scripts/test.sh installs it). `stop()` removes all of it. The tests' and the
/// benchmark's hosts.
public final class NamespaceHost: Sendable {
    /// Who logs in on these hosts (scripts/setup-hosts-tests.sh makes the account): not root,
    /// and with a plain /bin/sh, as an agent's account on a build box would be.
    public static let user = "clawmux-remote"

    /// That user's home: where the hub's places on these hosts are.
    public static var home: String? {
        guard let entry = getpwnam(user), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }

    public static var available: Bool {
        getuid() == 0 && home != nil && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
            && (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip"))
    }

    public let name: String
    /// The namespace's address (sshd listens here) and ours on the link.
    public let address: String
    /// Our end of the link: a server the host must reach (a fake model) listens here.
    public let ourAddress: String
    public let directory: URL
    /// A key the host accepts, and one it does not.
    public let key: String
    public let wrongKey: String

    private static let subnets = Mutex(UInt8.random(in: 1...120))

    private init(name: String, address: String, ourAddress: String, directory: URL, key: String, wrongKey: String) {
        (self.name, self.address, self.ourAddress, self.directory, self.key, self.wrongKey) = (name, address, ourAddress, directory, key, wrongKey)
    }

    /// What a hub's `hosts:` entry names as its destination.
    public var destination: String { "\(Self.user)@\(address)" }

    /// The options a hub's `hosts:` entry needs for it (no known_hosts of the user's is touched).
    public var sshOptions: [String] {
        ["StrictHostKeyChecking=no", "UserKnownHostsFile=\(directory.appendingPathComponent("known_hosts").path)"]
    }

    public static func start(_ label: String) async throws -> NamespaceHost {
        let subnet = subnets.withLock { value in value = value % 240 + 1; return value }
        let name = "cmx\(subnet)\(String(UUID().uuidString.prefix(4)).lowercased())"
        let (ours, theirs) = ("10.77.\(subnet).1", "10.77.\(subnet).2")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clawmux-host-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The user reads its authorized_keys here (by exact path); the private keys are 0600.
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: directory.path)
        let path = { (file: String) in directory.appendingPathComponent(file).path }
        try run(["ip", "netns", "add", name])
        do {
            try run(["ip", "link", "add", "\(name)h", "type", "veth", "peer", "name", "\(name)n"])
            // No IPv6 autoconfiguration on the link: its addresses appearing seconds later are a
            // "network change" to a browser running then, which aborts its page loads.
            try run(["ip", "link", "set", "dev", "\(name)h", "addrgenmode", "none"])
            try run(["ip", "link", "set", "dev", "\(name)n", "addrgenmode", "none"])
            try run(["ip", "link", "set", "\(name)n", "netns", name])
            try run(["ip", "addr", "add", "\(ours)/24", "dev", "\(name)h"])
            try run(["ip", "link", "set", "\(name)h", "up"])
            try run(["ip", "netns", "exec", name, "ip", "addr", "add", "\(theirs)/24", "dev", "\(name)n"])
            try run(["ip", "netns", "exec", name, "ip", "link", "set", "\(name)n", "up"])
            try run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
            for key in ["id", "wrong", "hostkey"] { try run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path(key)]) }
            try FileManager.default.copyItem(atPath: path("id.pub"), toPath: path("authorized_keys"))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path("authorized_keys"))
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            // Its own tmux servers: sockets are files, and the file system is shared with ours.
            try FileManager.default.createDirectory(atPath: path("tmux"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try run(["chown", Self.user, path("tmux")])
            try """
                ListenAddress \(theirs)
                HostKey \(path("hostkey"))
                AuthorizedKeysFile \(path("authorized_keys"))
                PidFile \(path("sshd.pid"))
                StrictModes no
                UsePAM no
                PermitRootLogin no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                SetEnv TMUX_TMPDIR=\(path("tmux"))

                """.write(toFile: path("sshd_config"), atomically: true, encoding: .utf8)
            // sshd forks into the background; its pid file appears once it listens.
            try run(["ip", "netns", "exec", name, "/usr/sbin/sshd", "-f", path("sshd_config"), "-E", path("sshd.log")])
            let deadline = ContinuousClock.now + .seconds(10)
            while (try? String(contentsOfFile: path("sshd.pid"), encoding: .utf8))?.isEmpty ?? true {
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("sshd in \(name) never wrote its pid file: \((try? String(contentsOfFile: path("sshd.log"), encoding: .utf8)) ?? "")")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return NamespaceHost(name: name, address: theirs, ourAddress: ours, directory: directory, key: path("id"), wrongKey: path("wrong"))
        } catch {
            NamespaceHost(name: name, address: theirs, ourAddress: ours, directory: directory, key: "", wrongKey: "").stop()
            throw error
        }
    }

    /// Whether a process whose command line contains `text` runs inside the namespace.
    public func runs(_ text: String) -> Bool {
        !commands(containing: text).isEmpty
    }

    /// The command lines (arguments joined by spaces) inside the namespace that contain `text`.
    public func commands(containing text: String) -> [String] {
        processes.compactMap { pid in
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            let line = String(decoding: cmdline, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return line.contains(text) ? line : nil
        }
    }

    /// The link goes down (as a cable pulled) or comes back.
    public func link(up: Bool) throws {
        try Self.run(["ip", "link", "set", "\(name)h", up ? "up" : "down"])
    }

    /// Every process in the namespace goes (sshd and the sessions it forked), then the namespace
    /// and the link.
    public func stop() {
        let inside = ((try? Self.run(["ip", "netns", "pids", name])) ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        for pid in inside { kill(pid, SIGKILL) }
        _ = try? Self.run(["ip", "netns", "del", name])
        _ = try? Self.run(["ip", "link", "del", "\(name)h"])
    }

    /// The pids of every process inside the namespace.
    public var processes: [pid_t] {
        ((try? Self.run(["ip", "netns", "pids", name])) ?? "").split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    @discardableResult
    public static func run(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw TestFailure("\(argv.joined(separator: " ")): status \(process.terminationStatus): \(output)") }
        return output
    }
}
