/// A JSON value type the parser can build. The hub's `JSONValue` and the bridge's `JSON` both
/// conform: one fast parser and writer, no Foundation (the bridge must not load it), no Codable
/// (whose enum decoding tries each case in turn and builds an error for every miss).
public protocol JSONTreeBuilding {
    static func jsonNull() -> Self
    static func jsonBool(_ value: Bool) -> Self
    /// An integer literal that fits an `Int` (no fraction, no exponent).
    static func jsonInteger(_ value: Int) -> Self
    static func jsonDouble(_ value: Double) -> Self
    static func jsonString(_ value: String) -> Self
    static func jsonArray(_ items: [Self]) -> Self
    static func jsonObject(_ fields: [String: Self]) -> Self
}
