import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import WireJSON

/// Minimal REST calls against the hub: status code and JSON body.
public struct REST: Sendable {
    public let baseURL: String
    /// Sent as `Authorization: Bearer` unless the call gives its own headers.
    public var token: String?

    public init(baseURL: String, token: String? = nil) {
        self.baseURL = baseURL
        self.token = token
    }
    /// Redirects are answers to look at, not to follow. One client for the test process.
    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    public struct Reply: Sendable {
        public let status: Int
        public let json: JSONValue?
        public let text: String
        public var headers = HTTPHeaders()
    }

    public func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    public func delete(_ path: String) async throws -> Reply { try await send(.DELETE, path) }
    public func post(_ path: String, json: JSONValue? = nil, timeout: TimeAmount = .seconds(90)) async throws -> Reply {
        try await send(.POST, path, json: json, timeout: timeout)
    }
    public func put(_ path: String, json: JSONValue) async throws -> Reply { try await send(.PUT, path, json: json) }

    public func send(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, rawBody: String? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(90)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        // A fresh connection per call: a pooled one may belong to a stopped hub whose port a new
        // hub got again (the call would then fail with "connection reset").
        request.headers.add(name: "Connection", value: "close")
        if let token, !headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json.encodedText()))
        }
        if let rawBody { request.body = .bytes(ByteBuffer(string: rawBody)) }
        let response = try await Self.client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        return Reply(status: Int(response.status.code), json: JSONValue.decode(text), text: text, headers: response.headers)
    }
}
