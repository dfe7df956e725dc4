import WireJSON

/// A test tree that keeps integers and doubles apart, to check what the parser decided.
enum Tree: Equatable, JSONTreeBuilding {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Tree])
    case object([String: Tree])

    static func jsonNull() -> Tree { .null }
    static func jsonBool(_ value: Bool) -> Tree { .bool(value) }
    static func jsonInteger(_ value: Int) -> Tree { .int(value) }
    static func jsonDouble(_ value: Double) -> Tree { .double(value) }
    static func jsonString(_ value: String) -> Tree { .string(value) }
    static func jsonArray(_ items: [Tree]) -> Tree { .array(items) }
    static func jsonObject(_ fields: [String: Tree]) -> Tree { .object(fields) }

    func write(into output: inout JSONOutput) {
        switch self {
        case .null: output.null()
        case .bool(let value): output.bool(value)
        case .int(let value): output.integer(value)
        case .double(let value): output.double(value)
        case .string(let value): output.string(value)
        case .array(let items): output.array(items) { output, item in item.write(into: &output) }
        case .object(let fields): output.object(fields, sorted: true) { output, value in value.write(into: &output) }
        }
    }

    var text: String {
        var output = JSONOutput()
        write(into: &output)
        return output.text
    }

    static func parse(_ text: String) -> Tree? { JSONParser.parse(text) }
}
