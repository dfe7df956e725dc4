import PluginAPI

/// A backend declared with several endpoints: `urls: [...]` (HTTP engines) or `uris: [...]`
/// (Wyoming). Each endpoint's options are the declaration's with the list replaced by the one
/// address (`url:` / `uri:`), so the plugin builds it as if it were declared alone.
struct EndpointList {
    let addresses: [String]
    let options: [ConfigNode]

    /// nil when the declaration names a single endpoint (or none: the plugin decides).
    static func parse(_ options: ConfigNode) throws -> EndpointList? {
        guard case .mapping(let entries) = options.value else { return nil }
        for (plural, singular) in [("urls", "url"), ("uris", "uri")] {
            guard let list = entries.first(where: { $0.key == plural })?.value else { continue }
            if entries.contains(where: { $0.key == singular }) {
                throw ConfigError(at: list.location, "give '\(singular)' (one endpoint) or '\(plural)' (several), not both")
            }
            let items = try list.items()
            guard !items.isEmpty else { throw ConfigError(at: list.location, "'\(plural)' lists no endpoint") }
            let addresses = try items.map { try $0.stringValue() }
            guard Set(addresses).count == addresses.count else { throw ConfigError(at: list.location, "'\(plural)' lists an endpoint twice") }
            let rest = entries.filter { $0.key != plural }
            return EndpointList(addresses: addresses, options: items.map { item in
                ConfigNode(.mapping(rest + [(key: singular, value: item)]), at: options.location)
            })
        }
        return nil
    }
}
