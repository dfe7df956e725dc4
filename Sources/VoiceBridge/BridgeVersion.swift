/// The bridge's version, as `clawmux-mcp --version` and the MCP `serverInfo` say it.
public enum BridgeVersion {
    public static let current = "1.0.0"
}
