import WireJSON

/// JSON as the bridge reads and writes it (MCP's JSON-RPC on stdio, the hub's messages).
/// Integers stay integers: JSON-RPC ids must come back exactly as they were sent.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public subscript(key: String) -> JSON? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }

    public static func parse(_ bytes: some Collection<UInt8>) -> JSON? {
        JSONParser.parse(bytes: bytes)
    }

    /// One line of compact JSON (no newline inside: JSON escapes them in strings).
    public var text: String {
        var output = JSONOutput()
        write(into: &output)
        return output.text
    }

    public func write(into output: inout JSONOutput) {
        switch self {
        case .null: output.null()
        case .bool(let value): output.bool(value)
        case .int(let value): output.integer(value)
        case .double(let value): output.double(value)
        case .string(let value): output.string(value)
        case .array(let items): output.array(items) { output, item in item.write(into: &output) }
        case .object(let fields): output.object(fields, sorted: false) { output, value in value.write(into: &output) }
        }
    }
}

extension JSON: JSONTreeBuilding {
    public static func jsonNull() -> JSON { .null }
    public static func jsonBool(_ value: Bool) -> JSON { .bool(value) }
    public static func jsonInteger(_ value: Int) -> JSON { .int(value) }
    public static func jsonDouble(_ value: Double) -> JSON { .double(value) }
    public static func jsonString(_ value: String) -> JSON { .string(value) }
    public static func jsonArray(_ items: [JSON]) -> JSON { .array(items) }
    public static func jsonObject(_ fields: [String: JSON]) -> JSON { .object(fields) }
}
