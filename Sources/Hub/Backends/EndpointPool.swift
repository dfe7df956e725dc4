import Foundation
import PluginAPI
import Synchronization
import WireJSON

/// The endpoints of one backend declared with `urls:` (or `uris:`): one engine instance per
/// endpoint, used as one backend. A request goes where `EndpointLoad` says; an endpoint that
/// fails it is marked down and the request goes to the next endpoint, before the voice's chain
/// moves to its next backend. Every endpoint is probed with the backend.
final class EndpointPool: Sendable {
    let name: String
    let addresses: [String]
    private let load: Mutex<EndpointLoad>

    init(name: String, addresses: [String]) {
        self.name = name
        self.addresses = addresses
        load = Mutex(EndpointLoad(count: addresses.count))
    }

    /// Runs `call` on the best endpoint, then on the next while endpoints fail it (an error that
    /// is the request's own, such as an HTTP 400, ends it at once). `holds`: the call's result
    /// keeps the endpoint busy until it calls the `done` it was given (a stream of audio).
    func run<T>(_ call: (_ index: Int, _ done: @escaping @Sendable (String?) -> Void) async throws -> T) async throws -> T {
        var tried = Set<Int>()
        var failures: [String] = []
        while let index = load.withLock({ $0.order(excluding: tried).first }) {
            tried.insert(index)
            load.withLock { $0.started(index) }
            let done: @Sendable (String?) -> Void = { [self] error in finished(index, error: error) }
            do {
                return try await call(index, done)
            } catch is CancellationError {
                done(nil)
                throw CancellationError()
            } catch {
                guard SpeechRouter.engineAtFault(error) else {
                    done(nil)
                    throw error
                }
                done("\(error)")
                failures.append("\(addresses[index]): \(error)")
            }
        }
        throw SpeechError.unreachable(engine: name, detail: "every endpoint failed (\(failures.joined(separator: "; ")))")
    }

    private func finished(_ index: Int, error: String?) {
        load.withLock { $0.finished(index, error: error) }
    }

    /// Probes every endpoint; passes when one answers.
    func probe(_ probes: [any HealthProbe]) async throws -> String {
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, probe) in probes.enumerated() {
                group.addTask {
                    do { _ = try await probe.probe(); return (index, nil) } catch { return (index, "\(error)") }
                }
            }
            var results: [(Int, String?)] = []
            for await result in group { results.append(result) }
            return results
        }
        load.withLock { load in for (index, error) in results { load.probed(index, error: error) } }
        let answering = results.filter { $0.1 == nil }.count
        guard answering > 0 else {
            let why = results.sorted { $0.0 < $1.0 }.map { "\(addresses[$0.0]): \($0.1 ?? "")" }.joined(separator: "; ")
            throw SpeechError.unreachable(engine: name, detail: "no endpoint answers (\(why))")
        }
        return "\(answering) of \(addresses.count) endpoints answering"
    }

    /// For `GET /api/backends`.
    func report() -> JSONValue {
        let endpoints = load.withLock { $0.endpoints }
        return .array(zip(addresses, endpoints).map { address, endpoint in
            .object([
                "address": .string(address), "status": .string(endpoint.up ? "ok" : "down"),
                "in_flight": .int(endpoint.inFlight), "last_error": endpoint.lastError.map(JSONValue.string) ?? .null,
            ])
        })
    }
}

/// A TTS backend of several endpoints. Audio that streams keeps its endpoint busy until its
/// last chunk. An endpoint that fails the request before its answer starts hands it to the
/// next; one that fails mid-stream is marked down, and the voice's chain takes over from that
/// sentence as with any engine.
struct PooledTTSEngine: TTSEngine {
    let pool: EndpointPool
    let engines: [any TTSEngine]

    var streamsAudio: Bool { engines[0].streamsAudio }
    var audioFormat: AudioFormat? { engines[0].audioFormat }
    var speedRange: ClosedRange<Double>? { engines[0].speedRange }

    func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio {
        try await pool.run { index, done in
            let audio = try await engines[index].synthesize(request)
            let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
            let relay = Task {
                do {
                    for try await chunk in audio.chunks { continuation.yield(chunk) }
                    done(nil)
                    continuation.finish()
                } catch {
                    done(Task.isCancelled ? nil : "\(error)")
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in relay.cancel() }
            return SpeechAudio(format: audio.format, chunks: chunks)
        }
    }

    func probe() async throws -> String { try await pool.probe(engines) }

    func shutdown() async {
        for engine in engines { await engine.shutdown() }
    }
}

/// An STT backend of several endpoints.
struct PooledSTTEngine: STTEngine {
    let pool: EndpointPool
    let engines: [any STTEngine]

    func transcribe(_ request: TranscriptionRequest) async throws -> String {
        try await pool.run { index, done in
            let text = try await engines[index].transcribe(request)
            done(nil)
            return text
        }
    }

    func probe() async throws -> String { try await pool.probe(engines) }

    func shutdown() async {
        for engine in engines { await engine.shutdown() }
    }
}
