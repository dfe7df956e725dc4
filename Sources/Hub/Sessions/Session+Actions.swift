import Foundation
import Logging
import PluginAPI

extension Session {
    /// Does what the machine decided, in order.
    func perform(_ actions: [SessionMachine.Action]) async {
        for action in actions {
            switch action {
            case .broadcast(let event, let turn):
                await services.browsers.broadcast(.session(id: id, event, turn: turn))
            case .send(let event, let turn, let client):
                await services.browsers.send(.session(id: id, event, turn: turn), to: client)
            case .announce(let shown, let update):
                let snapshot = snapshot(shown)
                await services.browsers.broadcast(update ? .sessionUpdate(snapshot) : .sessionStatus(snapshot))
            case .writeTranscript(let role, let text, let requestID):
                if let transcript, !transcript.append(role, text, requestID: requestID) {
                    logger.error("could not write the transcript line")
                }
            case .saveRecord:
                workspace.save(record)

            case .synthesize(let turn, let text, let voice, let speed):
                engineTasks[turn] = engines.synthesize(
                    turn: turn, text: text, voice: voice, speed: speed,
                    progress: { await self.handle($0) }, finished: { await self.engineFinished(turn, $0) })
            case .joinSpeech(let turn, let joiner):
                engineTasks[turn] = engines.join(turn: turn, joiner, finished: { await self.engineFinished(turn, $0) })
            case .transcribe(let turn, let audio, let format, let voice):
                engineTasks[turn] = engines.transcribe(
                    turn: turn, audio, format: format, voice: voice, ahead: transcriptsAhead.removeValue(forKey: audio),
                    finished: { await self.engineFinished(turn, $0) })
            case .stopEngines(let turn?):
                engineTasks.removeValue(forKey: turn)?.cancel()
            case .stopEngines(nil):
                for task in engineTasks.values { task.cancel() }
                engineTasks.removeAll()
                for task in promptTranscriptions.values { task.cancel() }
                promptTranscriptions.removeAll()

            case .deliver(let text, let requestID, let bridge):
                logger.debug("converse result", metadata: ["chars": "\(text.count)"])
                if let bridge, links[bridge]?.send(.converseResult(text: text, requestID: requestID)) == true { continue }
                await handle(.replyUndelivered(text, requestID: requestID))
            case .answer(let reply, let bridge):
                links[bridge]?.send(reply)
            case .answerStatusCheck(let bridge):
                links[bridge]?.send(.statusResult(connected: await services.browsers.count > 0))
            case .closeBridge(let bridge):
                links.removeValue(forKey: bridge)?.close()

            case .watchTerminal:
                if let agent { terminalWatcher = Task { await self.watchTerminal(agent) } }
            case .stopTerminalWatch:
                terminalWatcher?.cancel()
            case .pressKeys(let keys):
                do {
                    try await agent?.send(keys)
                } catch {
                    logger.warning("could not answer terminal dialog", metadata: ["error": "\(error)"])
                }
            case .typeStartupInput(let input):
                // Off the caller: the bridge's next message must not wait for the typing's pause.
                typeIntoTerminal(input, what: "startup input")
            case .terminateAgent:
                await agent?.terminate()
            case .resolveReadiness(let readiness):
                for waiter in readinessWaiters { waiter.resume(returning: readiness) }
                readinessWaiters.removeAll()
            case .checkAgentAlive:
                // An agent that is still being spawned counts as alive.
                let alive = await agent?.isAlive() ?? true
                await handle(.agentAlive(alive))
            case .remove(let reason):
                removal = reason
            case .removeWorkspace:
                workspace.remove()
                // Off the session's end: a host that is slow or down must not hold it up.
                if let remote { Task { await remote.remove() } }
                transcript?.close()
            case .announceActivity(let activity):
                await services.browsers.broadcast(.sessionActivity(id: id, activity))
            case .announcePermission(let request, let timeout):
                startPermissionClock(request, timeout: timeout)
                await services.browsers.broadcast(.permissionRequest(sessionID: id, request))
            case .settlePermission(let request, let outcome):
                settled(request, outcome)
                await services.browsers.broadcast(.permissionResolved(sessionID: id, requestID: request.id, outcome))
            case .typePrompt(let text):
                typeIntoTerminal(text, what: "prompt")
            case .announcePrompt(let prompt, let state):
                await services.browsers.broadcast(.promptStatus(sessionID: id, prompt, state))
            case .transcribePrompt(let recording, let audio, let format, let voice):
                promptTranscriptions[recording] = engines.transcribe(
                    turn: recording, audio, format: format, voice: voice, ahead: transcriptsAhead.removeValue(forKey: audio)) { event in
                    await self.promptTranscribed(recording, event)
                }
            case .routePrompt(let text):
                await routeSpokenPrompt(text)
            case .announceError(let message):
                await services.browsers.broadcast(.error(sessionID: id, message: message))
            case .log(let level, let message):
                logger.log(level: level, "\(message)")
            }
        }
    }
}
