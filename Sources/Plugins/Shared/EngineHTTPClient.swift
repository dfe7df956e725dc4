import AsyncHTTPClient
import NIOCore

/// One HTTP client for every engine in the process, so connections are pooled and reused
/// across turns. Unlike `HTTPClient.shared` it fails at once when an engine refuses the
/// connection (instead of retrying until the deadline): a dead local engine must be reported
/// quickly so the hub can say so, or try another.
enum EngineHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
