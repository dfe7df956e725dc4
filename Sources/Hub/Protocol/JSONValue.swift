import WireJSON

/// A JSON value, for the small, loosely typed messages of the wire protocol.
public enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// Compact JSON text (a WebSocket text frame), keys sorted.
    public func encodedText() -> String {
        var output = JSONOutput()
        write(into: &output)
        return output.text
    }

    public func write(into output: inout JSONOutput) {
        switch self {
        case .string(let value): output.string(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { output.integer(Int(value)) } else { output.double(value) }
        case .bool(let value): output.bool(value)
        case .null: output.null()
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

extension JSONValue: JSONTreeBuilding {
    public static func jsonNull() -> JSONValue { .null }
    public static func jsonBool(_ value: Bool) -> JSONValue { .bool(value) }
    public static func jsonInteger(_ value: Int) -> JSONValue { .number(Double(value)) }
    public static func jsonDouble(_ value: Double) -> JSONValue { .number(value) }
    public static func jsonString(_ value: String) -> JSONValue { .string(value) }
    public static func jsonArray(_ items: [JSONValue]) -> JSONValue { .array(items) }
    public static func jsonObject(_ fields: [String: JSONValue]) -> JSONValue { .object(fields) }
}
