import Foundation
import Hummingbird
import PluginAPI
import WireJSON

/// Speech the page asks for outside a turn (under `/api`: the user's token): an agent's name in
/// its own voice (hands-free mode says who speaks next), and a quick transcription (the page
/// listens for the spoken end word during a pause).
struct SpeechRoutes: Sendable {
    let sessions: SessionManager
    let speech: SpeechStack
    let names: NameAudio
    let limits: Limits

    func register(on router: Router<HubRequestContext>) {
        router.get("/api/sessions/{id}/announce") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let session = await sessions.session(id) else {
                return JSONResponse.error("no session '\(id)'", status: .notFound)
            }
            let snapshot = await session.snapshot()
            do {
                let (audio, format) = try await names.audio(label: snapshot.label, voice: snapshot.voice, speed: snapshot.speed, router: speech.router)
                return Response(status: .ok, headers: [.contentType: format.mimeType, .cacheControl: "no-cache"],
                                body: .init(byteBuffer: ByteBuffer(bytes: audio)))
            } catch {
                return JSONResponse.error("could not say the name: \(error)", status: .serviceUnavailable)
            }
        }
        router.post("/api/transcribe") { request, context in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limits.maxRecordingBytes)
            } catch {
                return JSONResponse.error("the recording is larger than \(limits.maxRecordingBytes) bytes", status: .contentTooLarge)
            }
            guard body.readableBytes > 0 else { return JSONResponse.error("expected the recording as the body", status: .badRequest) }
            let format = AudioFormat(mimeType: request.headers[.contentType] ?? "audio/webm")
            let voice = request.uri.queryParameters["voice"].map(String.init)
            do {
                let text = try await speech.router.transcribeFile(Data(body.readableBytesView), format: format, voice: voice)
                return JSONResponse.make(.object(["text": .string(text)]))
            } catch let error as SessionError {
                return JSONResponse.error(error)
            } catch {
                return JSONResponse.error("could not transcribe: \(error)", status: .serviceUnavailable)
            }
        }
    }
}

/// Agents' names in their voices, made once per name, voice and speed (a handful per hub).
actor NameAudio {
    private var made: [String: (Data, AudioFormat)] = [:]
    static let limit = 64

    func audio(label: String, voice: String, speed: Double, router: SpeechRouter) async throws -> (Data, AudioFormat) {
        let key = "\(voice)|\(speed)|\(label)"
        if let audio = made[key] { return audio }
        let spoken = try await router.speakToFile((label.isEmpty ? "Agent" : label) + ".", voice: voice, speed: speed)
        if made.count >= Self.limit { made.removeAll() }
        made[key] = (spoken.audio, spoken.format)
        return (spoken.audio, spoken.format)
    }
}
