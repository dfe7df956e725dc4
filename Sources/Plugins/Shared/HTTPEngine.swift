#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import WireJSON
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PluginAPI
import Synchronization
import PluginRuntime

/// The pieces every engine spoken to over HTTP shares: one pooled client, bounded body reads,
/// errors that name the engine, and the cheap health probe.
struct HTTPEngine: Sendable {
    /// Name used in errors and logs: the config's instance name.
    let name: String
    let baseURL: String
    let timeout: Duration
    let apiKey: String?
    /// Remembers that this server has no `/v1/models`, so probes stop asking (and filling its log with 404s).
    let probeRoute = ProbeRoute()

    var client: HTTPClient { EngineHTTPClient.shared }

    func request(_ path: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let apiKey, !apiKey.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        }
        return request
    }

    /// Sends the request; a non-2xx answer becomes `SpeechError.engineStatus` with the body's start.
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await executeRetryingStaleConnection(request)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw SpeechError.timedOut(engine: name, after: timeout)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as IOError {
            // NIO names the syscall ("connection reset (error set)"); the errno says what happened.
            throw SpeechError.unreachable(engine: name, detail: "\(baseURL): \(String(cString: strerror(error.errnoCode)).lowercased())")
        } catch {
            throw SpeechError.unreachable(engine: name, detail: "\(baseURL): \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let body = (try? await readBody(response, limit: 4096)) ?? Data()
            throw SpeechError.engineStatus(
                engine: name, status: Int(response.status.code),
                body: String(decoding: body, as: UTF8.self))
        }
        return response
    }

    /// A pooled keep-alive connection the server closed just as we sent (uvicorn drops idle ones
    /// after 5 s) fails at once with "connection reset" or "remote closed": that is no verdict on
    /// the engine, so the request (its body is bytes, so it can be sent again) gets one fresh try.
    private func executeRetryingStaleConnection(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let started = ContinuousClock.now
        do {
            return try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        } catch let error where Self.isStaleConnection(error) && ContinuousClock.now - started < .milliseconds(500) {
            return try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        }
    }

    private static func isStaleConnection(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        if let error = error as? IOError { return [ECONNRESET, EPIPE].contains(error.errnoCode) }
        return false
    }

    func readBody(_ response: HTTPClientResponse, limit: Int) async throws -> Data {
        do {
            let buffer = try await withTimeout(timeout) { try await response.body.collect(upTo: limit) }
            return Data(buffer: buffer)
        } catch is TimeoutExceeded {
            throw SpeechError.timedOut(engine: name, after: timeout)
        } catch is NIOTooManyBytesError {
            throw SpeechError.responseTooLarge(limit: limit)
        }
    }

    /// OpenAI-compatible servers list models at `/v1/models`; others (whisper.cpp) have `/health`.
    func probeModelsOrHealth() async throws -> String {
        if probeRoute.healthOnly {
            do {
                _ = try await readBody(try await send(request("/health", method: .GET)), limit: 1 << 16)
                return "healthy at \(baseURL)"
            } catch {
                // Perhaps another server now listens there: ask for the model list again next time.
                probeRoute.healthOnly = false
                throw error
            }
        }
        do {
            let models = try await send(request("/v1/models", method: .GET))
            let body = try await readBody(models, limit: 1 << 20)
            let list = JSONValue.decode(bytes: body)?["data"]?.arrayValue
            return list.map { "\($0.count) model(s) at \(baseURL)" } ?? "answering at \(baseURL)"
        } catch SpeechError.engineStatus(_, let status, _) where [404, 405].contains(status) {
            // No model list here: try /health below, and from now on only that.
            probeRoute.healthOnly = true
        }
        _ = try await readBody(try await send(request("/health", method: .GET)), limit: 1 << 16)
        return "healthy at \(baseURL)"
    }
}

/// Which health route answers, per engine instance.
final class ProbeRoute: Sendable {
    private let state = Mutex(false)

    var healthOnly: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

