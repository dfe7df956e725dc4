import ArgumentParser
import Plugins

/// `clawmux plugins`: what a config's `plugin:` may name.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the plugins compiled into this binary (what `plugin:` in the config may name).")

    func run() async throws {
        let width = PluginTable.all.map(\.name.count).max() ?? 0
        for plugin in PluginTable.all {
            let name = plugin.name.padding(toLength: width, withPad: " ", startingAt: 0)
            print("\(name)  \(plugin.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(plugin.summary)")
        }
    }
}
