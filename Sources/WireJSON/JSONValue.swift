/// The one JSON value type of the hub, its bridge and the plugins: browser and bridge
/// messages, MCP's JSON-RPC, engines' request and response bodies.
///
/// Integers stay integers (`int`): JSON-RPC ids must come back exactly as they were sent.
/// Numbers compare by value, so `.int(1) == .double(1)`.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A number: an integer when it is one (and exact), else a double.
    public static func number(_ value: Double) -> JSONValue {
        value.rounded() == value && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let fields) = self { fields } else { nil } }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// An integer, or a double without a fraction that fits.
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value): value.rounded() == value && abs(value) < 1e15 ? Int(value) : nil
        default: nil
        }
    }

    /// Compact JSON text on one line (JSON escapes newlines in strings), keys sorted.
    public func encodedText() -> String {
        var output = JSONOutput()
        write(into: &output)
        return output.text
    }

    public func write(into output: inout JSONOutput) {
        switch self {
        case .null: output.null()
        case .bool(let value): output.bool(value)
        case .int(let value): output.integer(value)
        case .double(let value):
            if value.rounded() == value, abs(value) < 1e15 { output.integer(Int(value)) } else { output.double(value) }
        case .string(let value): output.string(value)
        case .array(let items): output.array(items) { output, item in item.write(into: &output) }
        case .object(let fields): output.object(fields, sorted: true) { output, value in value.write(into: &output) }
        }
    }

    public static func decode(_ text: String) -> JSONValue? {
        JSONParser.parse(text)
    }

    public static func decode(bytes: some Collection<UInt8>) -> JSONValue? {
        JSONParser.parse(bytes: bytes)
    }
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.int, .double), (.double, .int), (.double, .double): lhs.doubleValue == rhs.doubleValue
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

extension JSONValue: JSONTreeBuilding {
    public static func jsonNull() -> JSONValue { .null }
    public static func jsonBool(_ value: Bool) -> JSONValue { .bool(value) }
    public static func jsonInteger(_ value: Int) -> JSONValue { .int(value) }
    public static func jsonDouble(_ value: Double) -> JSONValue { .double(value) }
    public static func jsonString(_ value: String) -> JSONValue { .string(value) }
    public static func jsonArray(_ items: [JSONValue]) -> JSONValue { .array(items) }
    public static func jsonObject(_ fields: [String: JSONValue]) -> JSONValue { .object(fields) }
}
