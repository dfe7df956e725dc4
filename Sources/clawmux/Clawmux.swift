import ArgumentParser

@main
struct Clawmux: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clawmux",
        abstract: "Talk by voice, from one browser tab, to several coding agents at once.",
        subcommands: [Serve.self, Check.self, SayCommand.self, TranscribeCommand.self, PluginsCommand.self, MCPCommand.self, DemoAgentCommand.self, PTYHostCommand.self],
        defaultSubcommand: Serve.self)
}
