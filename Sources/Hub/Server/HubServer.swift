import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import PluginAPI
import ServiceLifecycle

/// The running hub: HTTP + WebSocket server, sessions, browsers. Built from a validated config
/// and the plugin table the executable hands in.
public struct HubServer: Sendable {
    public let config: HubConfig
    public let sessions: SessionManager
    let browsers: BrowserHub
    let speech: SpeechStack
    /// The master SSH connection to each configured host.
    public let hosts: HostLinks
    /// Agents' names in their voices (hands-free announcements), shared by both listeners.
    let names = NameAudio()
    let access: AccessPolicy
    let logger: Logger

    /// The token to put in the page's URL; nil with `auth: none`.
    public var accessToken: String? { access.token }

    public init(config: HubConfig, plugins: [PluginDescriptor], bridgeExecutable: String, logger: Logger) throws {
        self.config = config
        self.logger = logger
        self.browsers = BrowserHub(logger: logger, backlogLimit: config.limits.maxBrowserBacklogBytes)
        self.speech = try SpeechStack(config: config, plugins: plugins, logger: logger)
        self.access = AccessPolicy(
            token: config.server.auth == .none ? nil : try AccessToken.resolve(settings: config.server),
            allowedOrigins: Set(config.server.allowedOrigins), secureCookie: false)
        self.hosts = HostLinks(hosts: config.hosts, stateDirectory: config.server.stateDirectory, logger: logger)
        self.sessions = try SessionManager(
            config: config, speech: speech, browsers: browsers, hosts: hosts, bridgeExecutable: bridgeExecutable, logger: logger)
    }

    /// The HTTP routes and the WebSocket routes, guarded by `access`.
    private func routers(access: AccessPolicy) -> (Router<HubRequestContext>, Router<HubRequestContext>) {
        let router = Router(context: HubRequestContext.self)
        // Before the routes: middleware applies to the routes added after it.
        router.add(middleware: AccessMiddleware(policy: access))
        RESTRoutes(sessions: sessions, speech: speech, hosts: hosts).register(on: router)
        StaticFiles(directory: config.server.staticDirectory).register(on: router)
        let sockets = Router(context: HubRequestContext.self)
        BrowserSocket(sessions: sessions, browsers: browsers, access: access, logger: logger).register(on: sockets)
        BridgeSocket(sessions: sessions, logger: logger).register(on: sockets)
        HookRoutes(sessions: sessions).register(on: router)
        PermissionRoutes(sessions: sessions).register(on: router)
        SpeechRoutes(sessions: sessions, speech: speech, names: names, limits: config.limits).register(on: router)
        return (router, sockets)
    }

    static func tlsConfiguration(_ tls: ServerSettings.TLSSettings) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate)
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch {
            throw ConfigError(file: "server.tls", line: 0, column: 0, keyPath: "server.tls",
                              message: "cannot load the TLS certificate \(tls.certificate) or key \(tls.key): \(error)")
        }
    }

    /// Serves until SIGINT/SIGTERM, then ends every session and returns (within a few seconds;
    /// `HubServices.swift` has the order).
    /// With `exitOnStdinClose`, end of standard input counts as a shutdown signal.
    public func run(exitOnStdinClose: Bool = false, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let sessions = self.sessions
        let browsers = self.browsers
        let speech = self.speech
        let hosts = self.hosts
        let logger = self.logger
        let (router, sockets) = routers(access: access)
        // Recordings arrive as one base64 text frame; the default 16 KiB frame limit would refuse them.
        let webSocket = WebSocketServerConfiguration(maxFrameSize: BrowserSocket.maxMessageBytes(config.limits))
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: sockets, configuration: .init(ws: webSocket)),
            configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: "clawmux"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await sessions.serverStarted(port: port)
                await hosts.serverStarted(port: port)
                onListening(port)
            },
            logger: logger)
        // A server that fails (its port is taken) shuts the rest down in order too.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http"),
        ]
        if let tls = config.server.tls {
            // The same hub over HTTPS, with Secure cookies.
            var secure = access
            secure.secureCookie = true
            let (tlsRouter, tlsSockets) = routers(access: secure)
            services.append(.init(service: Application(
                router: tlsRouter,
                server: try .tls(.http1WebSocketUpgrade(webSocketRouter: tlsSockets, configuration: .init(ws: webSocket)),
                                 tlsConfiguration: try Self.tlsConfiguration(tls)),
                configuration: .init(address: .hostname(tls.host, port: tls.port), serverName: "clawmux"),
                onServerRunning: { channel in
                    logger.notice("HTTPS listening", metadata: ["address": "\(tls.host):\(channel.localAddress?.port ?? 0)"])
                },
                logger: logger), failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "https"))
        }
        services += [
            .init(service: SpeechService(speech: speech), serviceName: "speech"),
            .init(service: HostsService(hosts: hosts), serviceName: "hosts"),
            .init(service: SessionsService(sessions: sessions, browsers: browsers), serviceName: "sessions"),
            .init(service: ShutdownSignalService(orStdinClose: exitOnStdinClose, logger: logger),
                  successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "signals"),
        ]
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        // Never let a stuck connection hold the exit up (ShutdownDeadline is the last resort).
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(3)
        // Before serving: the bridges of adopted sessions reconnect as soon as the port listens.
        await sessions.adoptSurvivors()
        try await ServiceGroup(configuration: configuration).run()
    }
}
