import Foundation
import Logging
import PluginAPI

/// The session's work on its agent's terminal: watching it start, typing into it, reading it.
extension Session {
    /// The agent's screen now, row by row (trailing blank rows dropped).
    func screenLines() async -> [String] {
        guard let screen = await agent?.lastScreen() else { return [] }
        var lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        return lines
    }

    /// The agent's last screen lines, for errors about an agent that exited or stalled, with
    /// what to do when they show a known reason.
    func terminalTail(lines: Int = 12) async -> String? {
        let screen = await agent?.lastScreen()
        guard let tail = screen.map({ DialogWatch.lastLines(of: $0, count: lines) }) ?? workspace.terminalTail(),
              !tail.isEmpty else { return nil }
        return AgentTroubleHints.hint(for: tail).map { tail + "\n→ " + $0 } ?? tail
    }

    /// Until the agent is ready: its screens and a clock go to the machine (which answers
    /// dialogs); an agent that exits first is noticed.
    func watchTerminal(_ agent: any SpawnedAgent) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await screen in agent.screens() { await self.handle(.screen(screen, at: .now)) }
            }
            group.addTask {
                // Settling and answering again are decided on the clock, not only on new screens.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    await self.handle(.dialogTick(at: .now))
                }
            }
            await group.next()
            group.cancelAll()
        }
        guard !Task.isCancelled else { return }
        await handle(.terminalClosed(agentAlive: await agent.isAlive()))
    }

    /// Types after whatever was typed before (off the caller: the next event must not wait for
    /// the typing's pause).
    func typeIntoTerminal(_ text: String, what: String) {
        let previous = typing
        typing = Task {
            await previous?.value
            await self.paste(text, what: what)
        }
    }

    /// Keys the user sends from the page wait for a paste being typed, too.
    func sendAfterTyping(_ keys: [TerminalKey]) async throws {
        let previous = typing
        await previous?.value
        try await agent?.send(keys)
    }

    /// The text goes as one (bracketed) paste and the Enter separately, after a pause: Codex and
    /// Claude Code take an Enter that comes with fast typing as a newline of a paste.
    private func paste(_ text: String, what: String) async {
        guard let agent else { return }
        do {
            try await agent.send([.paste(text)])
            try await Task.sleep(for: .milliseconds(300))
            try await agent.send([.enter])
        } catch {
            logger.warning("could not type the \(what)", metadata: ["error": "\(error)"])
        }
    }
}
