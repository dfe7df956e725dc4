import ArgumentParser
import Foundation
import Hub
import Plugins

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the config and probe every backend; exits non-zero on any problem.")

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
        var failures = 0
        for entry in await BackendStatusReport(registry: registry).probeAll() {
            let outcome = entry.outcome
            let milliseconds = Int(Double(outcome.latency.components.seconds) * 1000 + Double(outcome.latency.components.attoseconds) / 1e15)
            // An engine the hub launches is not running while the hub is not: that is no failure.
            let mark = outcome.healthy ? "ok  " : entry.launched ? "--  " : "FAIL"
            let note = !outcome.healthy && entry.launched ? " (the hub starts this engine itself)" : ""
            print("\(mark) \(entry.name) (\(entry.plugin), \(entry.kind.rawValue)) \(milliseconds) ms: \(outcome.detail)\(note)")
            if !outcome.healthy && !entry.launched { failures += 1 }
        }
        if failures > 0 {
            throw ExitCode(1)
        }
    }
}
