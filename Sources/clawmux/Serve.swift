import ArgumentParser
import Foundation
import PluginRuntime
import Hub
import Logging
import NIOCore
import Plugins

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the hub (the default command).")

    @OptionGroup var common: CommonOptions

    @Option(help: "Port to listen on (overrides the config and VOICE_CHAT_HUB_PORT; 0 picks a free one).")
    var port: Int?

    @Flag(help: "Run sessions with the built-in demo agent instead of the configured command (no Claude Code needed).")
    var demoAgent = false

    @Flag(help: .hidden)
    var exitOnStdinClose = false

    func run() async throws {
        let logger = common.bootstrapLogging(label: "clawmux")
        var config = try common.loadConfig()
        if let port { config.server.port = port }
        if demoAgent { config.sessions.agent = "demo" }
        let hub: HubServer
        do {
            hub = try HubServer(config: config, plugins: PluginTable.all, bridgeExecutable: RunningExecutable.path, logger: logger)
        } catch {
            throw ExitMessage("\(error)")
        }
        let host = config.server.host
        let tlsPort = config.server.tls?.port
        do {
            try await hub.run(exitOnStdinClose: exitOnStdinClose) { port in
                let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
                Console.out("ClawMux hub listening on http://\(shown):\(port)/")
                if let token = hub.accessToken {
                    Console.out("Open http://\(shown):\(port)/?token=\(token)")
                    if let tlsPort {
                        Console.out("From another device: https://<this machine's address>:\(tlsPort)/?token=\(token)")
                    }
                } else {
                    logger.warning("auth: none — no token is needed: anyone who can reach \(shown):\(port) (any local user or web page's script) controls the agents")
                    Console.error("WARNING: auth: none — anyone who can reach \(shown):\(port) controls the agents")
                }
            }
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ExitMessage("cannot listen on \(host):\(config.server.port): the address is in use (another hub? try --port)")
        }
    }
}
