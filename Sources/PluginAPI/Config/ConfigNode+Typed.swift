import Foundation

/// Typed reads of config values. Each throws a `ConfigError` naming the key, line and the
/// expected type, so plugin factories can validate their options in one line each.
extension ConfigNode {
    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The entries of a mapping; `null` reads as an empty mapping (`key:` with nothing after it).
    public func entries() throws -> [(key: String, value: ConfigNode)] {
        switch value {
        case .mapping(let pairs): return pairs
        case .null: return []
        default: throw ConfigError(at: location, "expected a mapping, found \(kindDescription)")
        }
    }

    public func items() throws -> [ConfigNode] {
        switch value {
        case .sequence(let nodes): return nodes
        case .null: return []
        default: throw ConfigError(at: location, "expected a list, found \(kindDescription)")
        }
    }

    /// The child at `key`, or nil when absent or null.
    public func optional(_ key: String) throws -> ConfigNode? {
        for (name, node) in try entries() where name == key {
            return node.isNull ? nil : node
        }
        return nil
    }

    public func required(_ key: String) throws -> ConfigNode {
        guard let node = try optional(key) else {
            throw ConfigError(at: location, "missing required key '\(key)'")
        }
        return node
    }

    /// Rejects keys nobody reads: a typo like `tiemout` must not silently fall back to a default.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        for (name, node) in try entries() where !allowed.contains(name) {
            let known = allowed.sorted().joined(separator: ", ")
            throw ConfigError(at: node.location, "unknown key '\(name)' (known keys: \(known))")
        }
    }

    public func stringValue() throws -> String {
        guard case .scalar(let text) = value else {
            throw ConfigError(at: location, "expected a string, found \(kindDescription)")
        }
        return text
    }

    public func intValue(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar(let text) = value, let number = Int(text) else {
            throw ConfigError(at: location, "expected an integer, found \(kindDescription)")
        }
        if let range, !range.contains(number) {
            throw ConfigError(at: location, "expected an integer in \(range.lowerBound)...\(range.upperBound), found \(number)")
        }
        return number
    }

    public func doubleValue(in range: ClosedRange<Double>? = nil) throws -> Double {
        guard case .scalar(let text) = value, let number = Double(text), number.isFinite else {
            throw ConfigError(at: location, "expected a number, found \(kindDescription)")
        }
        if let range, !range.contains(number) {
            throw ConfigError(at: location, "expected a number in \(range.lowerBound)...\(range.upperBound), found \(number)")
        }
        return number
    }

    public func boolValue() throws -> Bool {
        guard case .scalar(let text) = value else {
            throw ConfigError(at: location, "expected true or false, found \(kindDescription)")
        }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError(at: location, "expected true or false, found \"\(text)\"")
        }
    }

    /// Seconds, as a number (`30`, `2.5`) or with a unit (`500ms`, `30s`, `5m`, `1h`).
    public func durationValue() throws -> Duration {
        guard case .scalar(let raw) = value else {
            throw ConfigError(at: location, "expected a duration like 30s or 500ms, found \(kindDescription)")
        }
        let text = raw.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var seconds: Double?
        if let plain = Double(text) {
            seconds = plain
        } else {
            for unit in units where text.hasSuffix(unit.suffix) {
                if let number = Double(text.dropLast(unit.suffix.count)) {
                    seconds = number * unit.seconds
                    break
                }
            }
        }
        // Up to a year: anything longer is a typo, and huge values would overflow.
        guard let seconds, seconds.isFinite, seconds >= 0, seconds <= 366 * 86_400 else {
            throw ConfigError(at: location, "expected a duration like 30s or 500ms (at most a year), found \"\(raw)\"")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    public func stringList() throws -> [String] {
        try items().map { try $0.stringValue() }
    }

    /// An http(s) URL without a trailing slash, so plugins can append paths.
    public func httpURLValue() throws -> String {
        let text = try stringValue()
        let afterScheme = text.drop { $0 != "/" }.dropFirst(2)
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), !afterScheme.isEmpty, afterScheme.first != "/" else {
            throw ConfigError(at: location, "expected an http:// or https:// URL, found \"\(text)\"")
        }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

extension ConfigNode {
    /// An empty mapping located at `location`, for plugins declared without options.
    public static func emptyMapping(at location: ConfigLocation) -> ConfigNode {
        ConfigNode(.mapping([]), at: location)
    }
}
