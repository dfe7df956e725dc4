#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import PluginAPI

/// "Is the launched engine ready?": its own probe, a URL that answers 2xx, or an open port.
struct LaunchHealthCheck: Sendable {
    let check: LaunchSpec.HealthCheck
    let probe: any HealthProbe
    let name: String

    func passes() async -> Bool {
        switch check {
        case .probe:
            return await BackendProbe.run(probe, name: name, timeout: .seconds(5)).healthy
        case .url(let url):
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
                return (200..<300).contains(response.status.code)
            } catch {
                return false
            }
        case .port(let port):
            return Self.acceptsConnections(port: port)
        }
    }

    /// A TCP connect to 127.0.0.1 (answered at once on loopback: accepted or refused).
    static func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
