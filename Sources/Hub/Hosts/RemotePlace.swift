/// Where a hub keeps its things on one host: `~/.cache/clawmux/<hub id>-<host name>/`, mode 0700,
/// with the socket that leads back to the hub, each session's directory (its `.mcp.json` and
/// hook settings) and the scratch folders of sessions without a project. Named after the hub
/// and the host so two hubs, or two host entries for one machine, never share a socket.
struct RemotePlace: Sendable, Equatable {
    let home: String
    let base: String

    init(home: String, hubID: String, hostName: String) {
        self.home = home
        base = home + "/.cache/clawmux/\(hubID)-\(hostName)"
    }

    /// The forwarded socket; its path must fit a `sun_path` (107 bytes).
    var socket: String { base + "/hub.sock" }
    var fitsSocketPath: Bool { socket.utf8.count <= 107 }

    func sessionDirectory(_ id: String) -> String { base + "/" + id }
    func scratchDirectory(_ id: String) -> String { base + "/.scratch/" + id }
    func bridgeDirectory() -> String { base + "/bin" }

    /// `~` and `~/…` as the host's home.
    func expanding(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }

    // Fixed scripts; their data arrives as positional arguments, never spliced in.

    /// Prints `$HOME` (sshd sets it; no login profile, whose output would be mixed in).
    static let homeScript = #"printf '%s' "$HOME""#
    /// Makes `$1` (and its parents) private, and removes a socket a dead connection left at `$2`
    /// (the new forward could not bind over it).
    static let prepareScript = #"umask 077 && mkdir -p -- "$1" && chmod 700 -- "$1" && rm -f -- "$2""#
    /// Writes stdin to `$2` in the directory `$1` (made, private), through a temporary file.
    static let writeScript = #"umask 077 && mkdir -p -- "$1" && cat > "$2.$$" && mv -f -- "$2.$$" "$2""#
    /// As `writeScript`, and executable.
    static let installScript = #"umask 077 && mkdir -p -- "$1" && cat > "$2.$$" && chmod 700 -- "$2.$$" && mv -f -- "$2.$$" "$2""#
}
