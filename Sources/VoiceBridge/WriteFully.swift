#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `bytes` to `fd`, going on after interrupted or partial writes; false when it
/// could not. On a socket it never raises SIGPIPE (a peer that went away is an error, not the
/// end of the process).
func writeFully(_ fd: Int32, _ bytes: [UInt8], socket: Bool) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { buffer in
            socket ? send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) : write(fd, buffer.baseAddress, buffer.count)
        }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}
