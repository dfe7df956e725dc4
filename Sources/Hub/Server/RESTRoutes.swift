import Foundation
import Hummingbird
import HummingbirdWebSocket
import WireJSON

/// The original's REST API, plus `/api/voices`, `/api/backends` and `/healthz`.
struct RESTRoutes: Sendable {
    let sessions: SessionManager
    let speech: SpeechStack
    let hosts: HostLinks

    func register(on router: Router<HubRequestContext>) {
        router.get("/api/sessions") { _, _ in
            JSONResponse.make(.array(await sessions.snapshots().map(\.json)))
        }
        router.post("/api/sessions") { request, _ in
            await createSession(request)
        }
        router.delete("/api/sessions/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            do throws(SessionError) {
                try await sessions.terminate(id)
                return JSONResponse.make(.object(["status": .string("terminated"), "session_id": .string(id)]))
            } catch {
                return JSONResponse.error(error)
            }
        }
        router.put("/api/sessions/{id}/voice") { request, context in
            await update(request, context, field: "voice", example: "\"af_sky\"") { id, value throws(SessionError) in
                guard let voice = value.stringValue else { return nil }
                return .string(try await sessions.setVoice(id, voice: voice).voice)
            }
        }
        router.put("/api/sessions/{id}/speed") { request, context in
            await update(request, context, field: "speed", example: "1.25") { id, value throws(SessionError) in
                guard let speed = value.doubleValue else { return nil }
                return .number(try await sessions.setSpeed(id, speed: speed).speed)
            }
        }
        router.get("/api/sessions/{id}/transcript") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let entries = await sessions.transcript(id) else {
                return JSONResponse.error("no transcript for session '\(id)'", status: .notFound)
            }
            return JSONResponse.make(.object(["session_id": .string(id), "entries": .array(entries)]))
        }
        router.get("/api/sessions/{id}/screen") { _, context in
            let id = context.parameters.get("id") ?? ""
            do throws(SessionError) {
                let lines = try await sessions.screen(id)
                return JSONResponse.make(.object(["session_id": .string(id), "lines": .array(lines.map(JSONValue.string))]))
            } catch {
                return JSONResponse.error(error)
            }
        }
        router.post("/api/sessions/{id}/prompt") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard let text = await jsonBody(request, limit: 256 * 1024)?["text"]?.stringValue else {
                return JSONResponse.error("expected a JSON body like {\"text\": \"run the tests\"} (at most \(Prompt.maxCharacters) characters)",
                                          status: .badRequest)
            }
            do throws(SessionError) {
                let (prompt, state) = try await sessions.prompt(id, text: text)
                return JSONResponse.make(.object(["prompt_id": .string(prompt.id), "state": .string(state.rawValue)]), status: .accepted)
            } catch {
                return JSONResponse.error(error)
            }
        }
        router.post("/api/sessions/{id}/keys") { request, context in
            await sendKeys(request, context)
        }
        router.get("/api/agents") { _, _ in
            JSONResponse.make(await sessions.agentsReport())
        }
        router.get("/api/projects") { request, _ in
            do throws(SessionError) {
                return JSONResponse.make(try await sessions.projectsReport(host: request.uri.queryParameters["host"].map(String.init)))
            } catch {
                return JSONResponse.error(error)
            }
        }
        router.get("/api/voices") { _, _ in
            JSONResponse.make(await speech.router.voicesReport())
        }
        router.get("/api/hosts") { _, _ in
            JSONResponse.make(await hosts.report())
        }
        router.get("/api/backends") { _, _ in
            JSONResponse.make(await speech.health.report())
        }
        router.get("/healthz") { _, _ in
            JSONResponse.make(.object(["status": .string("ok")]))
        }
    }

    /// Label and voice come from a JSON body or the query, as in the original; `?wait=false` answers at once.
    private func createSession(_ request: Request) async -> Response {
        var label = request.uri.queryParameters["label"].map(String.init)
        var voice = request.uri.queryParameters["voice"].map(String.init)
        var agent = request.uri.queryParameters["agent"].map(String.init)
        var cwd = request.uri.queryParameters["cwd"].map(String.init)
        var host = request.uri.queryParameters["host"].map(String.init)
        let wait = request.uri.queryParameters["wait"].map { $0 != "false" && $0 != "0" } ?? true
        if request.headers[.contentLength].map({ $0 != "0" }) ?? false || request.headers[.transferEncoding] != nil {
            guard let body = await jsonBody(request), case .object = body else {
                return JSONResponse.error("expected a JSON object body like {\"label\": \"...\", \"voice\": \"...\"}", status: .badRequest)
            }
            for field in ["label", "voice", "agent", "cwd", "host"] {
                if let value = body[field], value.stringValue == nil, value != .null {
                    return JSONResponse.error("\(field) must be a string", status: .badRequest)
                }
            }
            label = body["label"]?.stringValue ?? label
            voice = body["voice"]?.stringValue ?? voice
            agent = body["agent"]?.stringValue ?? agent
            cwd = body["cwd"]?.stringValue ?? cwd
            host = body["host"]?.stringValue ?? host
        }
        do throws(SessionError) {
            let session = try await sessions.create(label: label, voice: voice, agent: agent, cwd: cwd, host: host, wait: wait)
            return JSONResponse.make(session.json, status: wait ? .ok : .accepted)
        } catch {
            return JSONResponse.error(error)
        }
    }

    /// `PUT /api/sessions/{id}/<field>` with `{"<field>": value}`: `apply` returns the value now in
    /// effect, or nil when the value has the wrong type; answers `{"<field>": ..., "session_id": ...}`.
    private func update(
        _ request: Request, _ context: HubRequestContext, field: String, example: String,
        apply: (String, JSONValue) async throws(SessionError) -> JSONValue?
    ) async -> Response {
        let id = context.parameters.get("id") ?? ""
        let badBody = JSONResponse.error("expected a JSON body like {\"\(field)\": \(example)}", status: .badRequest)
        guard let value = await jsonBody(request)?[field] else { return badBody }
        do throws(SessionError) {
            guard let applied = try await apply(id, value) else { return badBody }
            return JSONResponse.make(.object([field: applied, "session_id": .string(id)]))
        } catch {
            return JSONResponse.error(error)
        }
    }

    /// `{"keys": ["Down", "Enter"]}`: for a dialog the hub did not answer (see TerminalKey).
    private func sendKeys(_ request: Request, _ context: HubRequestContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        do throws(SessionError) {
            let keys = try TerminalKeys.parse(await jsonBody(request)?["keys"])
            try await sessions.sendKeys(id, keys: keys)
            return JSONResponse.make(.object(["session_id": .string(id), "sent": .number(Double(keys.count))]))
        } catch {
            return JSONResponse.error(error)
        }
    }

    private func jsonBody(_ request: Request, limit: Int = 64 * 1024) async -> JSONValue? {
        guard let buffer = try? await request.body.collect(upTo: limit) else { return nil }
        return JSONValue.decode(String(buffer: buffer))
    }
}
