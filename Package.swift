// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

/// Release executables on Linux: lld with packed relative relocations (a static build's 3 MB
/// relocation table is no longer read at every start) and no exported symbol table. With
/// `swift build -c release --static-swift-stdlib` (scripts/run.sh) the Swift runtime and
/// Foundation are linked in too. Measured with clawmux-bench (BENCHMARKS.md): hub RSS with 50
/// sessions 48 → 37 MB, bridge 14 → 9 MB, start and spawns faster.
let leanExecutable: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "clawmux",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "clawmux", targets: ["clawmux"]),
        .executable(name: "clawmux-bench", targets: ["clawmux-bench"]),
        .executable(name: "clawmux-mcp", targets: ["clawmux-mcp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The plugin contract: what a TTS, STT or spawner plugin must provide (protocols and
        // value types only, every requirement stated with its default).
        .target(
            name: "PluginAPI",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The runtime pieces plugins and the hub share: the one way to start a child process
        // (posix_spawn; a PTY's agent needs forkpty), pipes, ffmpeg decoding, WAV, timeouts.
        .target(
            name: "PluginRuntime",
            dependencies: [
                "PluginAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The hub↔bridge protocol, written once for both ends: typed messages, environment
        // names, limits. No Foundation (the bridge must not load it).
        .target(name: "BridgeProtocol", dependencies: ["WireJSON"], swiftSettings: strict),
        // JSON for the wire: the one value type, a parser and writer on bytes, without Foundation.
        .target(name: "WireJSON", swiftSettings: strict),
        // Concrete engines and spawners, plus the compile-time plugin table.
        .target(
            name: "Plugins",
            dependencies: [
                "PluginAPI",
                "PluginRuntime",
                "WireJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Config and agent profiles, routing, sessions (SessionMachine has every decision a
        // session makes), agents' terminal dialogs, project folders, the HTTP/WS server.
        .target(
            name: "Hub",
            dependencies: [
                "PluginAPI",
                "PluginRuntime",
                "WireJSON",
                "BridgeProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The demo agent (`clawmux demo-agent`): an MCP client of the bridge that converses like
        // an agent would, and the benchmark's agent (bench mode).
        .target(
            name: "DemoAgent",
            dependencies: ["PluginRuntime", "WireJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The MCP bridge (`clawmux mcp`, `clawmux-mcp`): stdio JSON-RPC to the agent, a WebSocket to
        // the hub; plain threads, no Foundation.
        .target(
            name: "VoiceBridge",
            dependencies: ["WireJSON", "BridgeProtocol", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // What the tests and the benchmark share: a real hub process, a browser stand-in, REST
        // calls, the fake OpenAI-compatible speech server, in-process fake engines and spawner.
        .target(
            name: "ClawMuxTesting",
            dependencies: [
                "PluginAPI",
                "WireJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "clawmux-mcp",
            dependencies: ["VoiceBridge", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict,
            linkerSettings: leanExecutable
        ),
        .executableTarget(
            name: "clawmux",
            dependencies: [
                "Hub",
                "VoiceBridge",
                "DemoAgent",
                "Plugins",
                "PluginAPI",
                "PluginRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict,
            linkerSettings: leanExecutable
        ),
        .executableTarget(
            name: "clawmux-bench",
            dependencies: [
                "DemoAgent",
                "Plugins",
                "PluginAPI",
                "PluginRuntime",
                "WireJSON",
                "ClawMuxTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HubTests",
            dependencies: ["Hub", "PluginAPI", "PluginRuntime", "Plugins", "WireJSON", "BridgeProtocol", "ClawMuxTesting", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VoiceBridgeTests",
            dependencies: ["VoiceBridge", "BridgeProtocol", "WireJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WireJSONTests",
            dependencies: ["WireJSON"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PluginTests",
            dependencies: ["Plugins", "PluginAPI", "PluginRuntime", "WireJSON", "ClawMuxTesting"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Hub", "PluginAPI", "PluginRuntime", "Plugins", "WireJSON", "BridgeProtocol", "ClawMuxTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                // The official SDK's client checks that agents built on it can use our bridge.
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strict
        ),
    ]
)
