import Foundation

public enum FreePort {
    /// A loopback port that is free now, below the kernel's ephemeral range (32768 and up here):
    /// a port a test frees and binds again (a restarted hub, a relaunched engine) must not be
    /// taken meanwhile as the source port of one of the suite's many outgoing connections.
    public static func pick() throws -> Int {
        for _ in 0..<200 {
            let port = UInt16.random(in: 20_000..<32_000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound { return Int(port) }
        }
        throw TestFailure("no free port")
    }
}
