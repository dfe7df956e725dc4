import Foundation
@testable import Hub
import PluginAPI
import Synchronization
import Testing
import WireJSON

/// A fake endpoint: says "<name>:<text>" (or transcribes to its name), fails as told, counts its
/// calls, and keeps its audio streams open until told (requests in flight).
final class FakeEndpoint: TTSEngine, STTEngine, Sendable {
    enum Mode: Sendable { case up, down, refuses }
    let name: String
    private let state = Mutex((mode: Mode.up, calls: 0, open: [AsyncThrowingStream<Data, any Error>.Continuation]()))

    init(_ name: String) { self.name = name }

    var calls: Int { state.withLock { $0.calls } }
    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }

    /// Ends every audio stream it holds open.
    func finishStreams() {
        let open = state.withLock { state in defer { state.open.removeAll() }; return state.open }
        for stream in open { stream.finish() }
    }

    private func call() throws {
        let mode = state.withLock { state in state.calls += 1; return state.mode }
        switch mode {
        case .up: return
        case .down: throw SpeechError.unreachable(engine: name, detail: "\(name) is down")
        case .refuses: throw SpeechError.engineStatus(engine: name, status: 400, body: "no such voice")
        }
    }

    func synthesize(_ request: SpeechRequest) async throws -> SpeechAudio {
        try call()
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        continuation.yield(Data("\(name):\(request.text)".utf8))
        state.withLock { $0.open.append(continuation) }
        return SpeechAudio(format: .mp3, chunks: chunks)
    }

    func transcribe(_ request: TranscriptionRequest) async throws -> String {
        try call()
        return name
    }

    func probe() async throws -> String {
        if state.withLock({ $0.mode }) == .down { throw SpeechError.unreachable(engine: name, detail: "\(name) is down") }
        return "ok"
    }
}

struct EndpointLoadTests {
    @Test func theFewestInFlightFirstAndIdleOnesTakeTurns() {
        var load = EndpointLoad(count: 3)
        #expect(load.order() == [0, 1, 2])
        load.started(0)
        #expect(load.order() == [1, 2, 0])
        load.started(1)
        load.started(2)
        load.finished(1)
        #expect(load.order().first == 1, "the only idle one")
        load.finished(0)
        load.finished(2)
        // All idle: the one that started longest ago goes first.
        #expect(load.order() == [0, 1, 2])
        load.started(0)
        load.finished(0)
        #expect(load.order() == [1, 2, 0])
        #expect(load.order(excluding: [1]) == [2, 0])
    }

    @Test func aFailedEndpointIsTriedLastUntilAProbePasses() {
        var load = EndpointLoad(count: 2)
        load.started(0)
        load.finished(0, error: "refused")
        #expect(load.endpoints[0].up == false && load.endpoints[0].lastError == "refused")
        load.started(1)
        load.started(1)
        #expect(load.order() == [1, 0], "healthy first, however busy")
        load.probed(0, error: nil)
        #expect(load.order() == [0, 1])
        #expect(load.endpoints[0].lastError == "refused", "the last error stays to be seen")
    }
}

struct EndpointPoolTests {
    let a = FakeEndpoint("a"), b = FakeEndpoint("b")

    func tts() -> PooledTTSEngine {
        PooledTTSEngine(pool: EndpointPool(name: "pool", addresses: ["http://a", "http://b"]), engines: [a, b])
    }

    func said(_ audio: SpeechAudio) async throws -> String {
        var iterator = audio.chunks.makeAsyncIterator()
        return String(decoding: try await iterator.next() ?? Data(), as: UTF8.self)
    }

    func endpoints(_ pool: EndpointPool) -> [String: JSONValue] {
        var byAddress: [String: JSONValue] = [:]
        for entry in pool.report().arrayValue ?? [] { byAddress[entry["address"]?.stringValue ?? ""] = entry }
        return byAddress
    }

    @Test func streamsKeepTheirEndpointBusyUntilTheirLastChunk() async throws {
        let engine = tts()
        var one = try await engine.synthesize(SpeechRequest(text: "one", voice: "v")).chunks.makeAsyncIterator()
        var two = try await engine.synthesize(SpeechRequest(text: "two", voice: "v")).chunks.makeAsyncIterator()
        #expect(String(decoding: try await one.next() ?? Data(), as: UTF8.self) == "a:one")
        #expect(String(decoding: try await two.next() ?? Data(), as: UTF8.self) == "b:two", "a is busy")
        #expect(endpoints(engine.pool)["http://a"]?["in_flight"]?.intValue == 1)
        a.finishStreams()
        #expect(try await one.next() == nil)
        try await waitUntil { endpoints(engine.pool)["http://a"]?["in_flight"]?.intValue == 0 }
        var three = try await engine.synthesize(SpeechRequest(text: "three", voice: "v")).chunks.makeAsyncIterator()
        #expect(String(decoding: try await three.next() ?? Data(), as: UTF8.self) == "a:three", "a is free again, b still busy")
        #expect(endpoints(engine.pool)["http://b"]?["in_flight"]?.intValue == 1)
        b.finishStreams()
        #expect(try await two.next() == nil)
    }

    @Test func aDeadEndpointHandsTheRequestToTheNextAndIsShownDown() async throws {
        let engine = tts()
        a.set(.down)
        #expect(try await said(try await engine.synthesize(SpeechRequest(text: "hi", voice: "v"))) == "b:hi")
        let report = endpoints(engine.pool)
        #expect(report["http://a"]?["status"]?.stringValue == "down")
        #expect(report["http://a"]?["last_error"]?.stringValue?.contains("a is down") == true)
        #expect(report["http://b"]?["status"]?.stringValue == "ok")
        b.finishStreams()
        // Down: not asked again while b answers, until a probe finds it back.
        _ = try await engine.synthesize(SpeechRequest(text: "again", voice: "v"))
        #expect(a.calls == 1)
        a.set(.up)
        #expect(try await engine.probe() == "2 of 2 endpoints answering")
        #expect(endpoints(engine.pool)["http://a"]?["status"]?.stringValue == "ok")
        #expect(try await said(try await engine.synthesize(SpeechRequest(text: "back", voice: "v"))) == "a:back")
    }

    @Test func aRequestTheEngineRefusesIsNotSentAgain() async throws {
        let engine = tts()
        a.set(.refuses)
        await #expect(throws: SpeechError.self) { _ = try await engine.synthesize(SpeechRequest(text: "x", voice: "nobody")) }
        #expect(b.calls == 0, "a 400 is the request's fault: another endpoint would say the same")
        #expect(endpoints(engine.pool)["http://a"]?["status"]?.stringValue == "ok")
    }

    @Test func everyEndpointDownIsOneErrorNamingEach() async throws {
        let engine = tts()
        a.set(.down)
        b.set(.down)
        let error = await #expect(throws: SpeechError.self) { _ = try await engine.synthesize(SpeechRequest(text: "x", voice: "v")) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("http://a: ") && text.contains("http://b: "), "\(text)")
        await #expect(throws: SpeechError.self) { _ = try await engine.probe() }
    }

    @Test func transcriptionFailsOverToo() async throws {
        let engine = PooledSTTEngine(pool: EndpointPool(name: "ears", addresses: ["tcp://a", "tcp://b"]), engines: [a, b])
        a.set(.down)
        #expect(try await engine.transcribe(TranscriptionRequest(audio: Data([1]), format: .wav)) == "b")
        #expect(try await engine.transcribe(TranscriptionRequest(audio: Data([1]), format: .wav)) == "b")
        #expect(a.calls == 1)
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
