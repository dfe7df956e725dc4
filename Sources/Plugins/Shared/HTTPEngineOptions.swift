import PluginAPI

extension HTTPEngine {
    /// Reads the options every HTTP engine has: `url` (required), `timeout`, `api_key`.
    init(options: ConfigNode, context: PluginContext, defaultTimeout: Duration) throws {
        self.init(
            name: context.instanceName,
            baseURL: try options.required("url").httpURLValue(),
            timeout: try options.optional("timeout")?.durationValue() ?? defaultTimeout,
            apiKey: try options.optional("api_key")?.stringValue())
    }

    static let commonKeys: Set<String> = ["url", "timeout", "api_key"]
}
