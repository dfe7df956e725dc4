import Foundation
import Synchronization
import ClawMuxTesting

/// A "remote" machine on this one: a network namespace joined to ours by a veth pair, running its
/// own sshd on the namespace's address only, reached with a key the test generates. It shares our
/// file system (so the same binaries are "on the host"). Needs root, `ip` and Debian's
/// openssh-server (scripts/test.sh installs it). `stop()` removes all of it.
final class NamespaceHost: Sendable {
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
            && (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip"))
    }

    let name: String
    /// The namespace's address (sshd listens here) and ours on the link.
    let address: String
    let directory: URL
    /// A key the host accepts, and one it does not.
    let key: String
    let wrongKey: String

    private static let subnets = Mutex(UInt8.random(in: 1...120))

    private init(name: String, address: String, directory: URL, key: String, wrongKey: String) {
        (self.name, self.address, self.directory, self.key, self.wrongKey) = (name, address, directory, key, wrongKey)
    }

    /// The options a hub's `hosts:` entry needs for it (no known_hosts of the user's is touched).
    var sshOptions: [String] {
        ["StrictHostKeyChecking=no", "UserKnownHostsFile=\(directory.appendingPathComponent("known_hosts").path)"]
    }

    static func start(_ label: String) async throws -> NamespaceHost {
        let subnet = subnets.withLock { value in value = value % 240 + 1; return value }
        let name = "cmx\(subnet)\(String(UUID().uuidString.prefix(4)).lowercased())"
        let (ours, theirs) = ("10.77.\(subnet).1", "10.77.\(subnet).2")
        let directory = try TestPaths.temporaryDirectory("host-\(label)")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        let path = { (file: String) in directory.appendingPathComponent(file).path }
        try run(["ip", "netns", "add", name])
        do {
            try run(["ip", "link", "add", "\(name)h", "type", "veth", "peer", "name", "\(name)n"])
            try run(["ip", "link", "set", "\(name)n", "netns", name])
            try run(["ip", "addr", "add", "\(ours)/24", "dev", "\(name)h"])
            try run(["ip", "link", "set", "\(name)h", "up"])
            try run(["ip", "netns", "exec", name, "ip", "addr", "add", "\(theirs)/24", "dev", "\(name)n"])
            try run(["ip", "netns", "exec", name, "ip", "link", "set", "\(name)n", "up"])
            try run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
            for key in ["id", "wrong", "hostkey"] { try run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path(key)]) }
            try FileManager.default.copyItem(atPath: path("id.pub"), toPath: path("authorized_keys"))
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            // Its own tmux servers: sockets are files, and the file system is shared with ours.
            try FileManager.default.createDirectory(atPath: path("tmux"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try """
                ListenAddress \(theirs)
                HostKey \(path("hostkey"))
                AuthorizedKeysFile \(path("authorized_keys"))
                PidFile \(path("sshd.pid"))
                StrictModes no
                UsePAM no
                PermitRootLogin prohibit-password
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
            return NamespaceHost(name: name, address: theirs, directory: directory, key: path("id"), wrongKey: path("wrong"))
        } catch {
            NamespaceHost(name: name, address: theirs, directory: directory, key: "", wrongKey: "").stop()
            throw error
        }
    }

    /// Whether a process whose command line contains `text` runs inside the namespace.
    func runs(_ text: String) -> Bool {
        let inside = ((try? Self.run(["ip", "netns", "pids", name])) ?? "").split(whereSeparator: \.isWhitespace)
        return inside.contains { pid in
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: cmdline, as: UTF8.self).replacingOccurrences(of: "\0", with: " ").contains(text)
        }
    }

    /// The link goes down (as a cable pulled) or comes back.
    func link(up: Bool) throws {
        try Self.run(["ip", "link", "set", "\(name)h", up ? "up" : "down"])
    }

    /// Every process in the namespace goes (sshd and the sessions it forked), then the namespace
    /// and the link.
    func stop() {
        let inside = ((try? Self.run(["ip", "netns", "pids", name])) ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        for pid in inside { kill(pid, SIGKILL) }
        _ = try? Self.run(["ip", "netns", "del", name])
        _ = try? Self.run(["ip", "link", "del", "\(name)h"])
    }

    @discardableResult
    static func run(_ argv: [String]) throws -> String {
        let (status, output) = try ProcessInspection.run(argv)
        guard status == 0 else { throw TestFailure("\(argv.joined(separator: " ")): status \(status): \(output)") }
        return output
    }
}
