/// A command for a host, as argv. ssh hands the remote side one string that the user's login
/// shell splits again, so each argument is single-quoted (a `'` inside as `'\''`): what arrives
/// is exactly the argv given, whatever it contains (spaces, `$(…)`, quotes, newlines).
enum RemoteCommand {
    static func line(_ argv: [String]) -> String {
        argv.map(quoted).joined(separator: " ")
    }

    static func quoted(_ argument: String) -> String {
        "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
