extension Duration {
    /// Whole microseconds, for the C calls that take them (`usleep`, a socket's `timeval`).
    var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
