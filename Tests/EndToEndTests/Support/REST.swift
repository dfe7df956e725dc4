import AsyncHTTPClient
import Foundation
import Hub
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Minimal REST calls against the hub: status code and JSON body.
struct REST {
    let baseURL: String

    struct Reply {
        let status: Int
        let json: JSONValue?
        let text: String
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    func delete(_ path: String) async throws -> Reply { try await send(.DELETE, path) }
    func post(_ path: String, json: JSONValue? = nil) async throws -> Reply { try await send(.POST, path, json: json) }
    func put(_ path: String, json: JSONValue) async throws -> Reply { try await send(.PUT, path, json: json) }

    func send(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, rawBody: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json.encodedText()))
        }
        if let rawBody { request.body = .bytes(ByteBuffer(string: rawBody)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
        let body = try await response.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        return Reply(status: Int(response.status.code), json: JSONValue.decode(text), text: text)
    }
}
