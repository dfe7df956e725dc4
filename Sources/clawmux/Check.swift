import ArgumentParser
import Foundation
import Hub
import Plugins

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the config and probe every backend; exits non-zero when a voice, the STT chain or the spawner has no working engine.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.bootstrapLogging(label: "clawmux.check")
        let config = try common.loadConfig()
        let registry: BackendRegistry
        do {
            registry = try BackendRegistry(config: config, plugins: PluginTable.all, logger: logger)
        } catch {
            throw ExitMessage("\(error)")
        }
        print("config \(config.file): ok (\(config.voices.count) voices, \(registry.instances.count) backends)")
        var usable = Set<String>()
        let entries = await BackendStatusReport(registry: registry).probeAll()
        await registry.shutdownEngines()
        for entry in entries {
            let outcome = entry.outcome
            // An engine the hub launches is not running while the hub is not: that is no failure.
            let launchProblem = outcome.healthy ? nil : registry.instance(named: entry.name)?.launch?.executableProblem
            let startable = entry.launched && launchProblem == nil
            let mark = outcome.healthy ? "ok  " : startable ? "--  " : "FAIL"
            let note = outcome.healthy || !entry.launched ? "" : launchProblem.map { " (launch: \($0))" } ?? " (the hub starts this engine itself)"
            print("\(mark) \(entry.name) (\(entry.plugin), \(entry.kind.rawValue)) \(outcome.latency.milliseconds) ms: \(outcome.detail)\(note)")
            if outcome.healthy || startable { usable.insert(entry.name) }
        }
        // A backend that is down is fine while every chain that uses it has another that works.
        var problems: [String] = []
        for voice in config.voices where !voice.links.contains(where: { usable.contains($0.backend) }) {
            problems.append("voice \(voice.id): no engine of its chain works")
        }
        var sttChains = [("stt", config.stt.chain)]
        sttChains += config.voices.compactMap { voice in voice.sttChain.map { ("voice \(voice.id) stt", $0) } }
        for (name, chain) in sttChains where !chain.contains(where: usable.contains) {
            problems.append("\(name): no engine of its chain works")
        }
        if !usable.contains(config.sessions.spawner) {
            problems.append("spawner \(config.sessions.spawner) does not work")
        }
        for problem in problems { print("FAIL \(problem)") }
        if !problems.isEmpty {
            throw ExitCode(1)
        }
        print("ok: every voice and the STT chain have a working engine")
    }
}
