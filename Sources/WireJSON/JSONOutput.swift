/// Compact JSON text, appended piece by piece (the value types write themselves into it).
public struct JSONOutput {
    private var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func null() { append("null") }

    public mutating func bool(_ value: Bool) { append(value ? "true" : "false") }

    public mutating func integer(_ value: Int) { append(String(value)) }

    /// The shortest text that reads back as the same Double; non-finite values (which JSON
    /// cannot express) are written as null.
    public mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        append(value.description)
    }

    /// Escapes `"`, `\` and control characters only (slashes and non-ASCII stay as they are).
    /// Runs that need no escape (base64 audio is one) are copied in one go.
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var runStart = 0
            for (offset, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
                escape(byte)
                runStart = offset + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            append("\\u00")
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        }
    }

    /// An object's members, each written by `member`; in key order when `sorted` (stable output).
    public mutating func object<Value>(_ fields: [String: Value], sorted: Bool, _ member: (inout JSONOutput, Value) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        let keys = sorted ? fields.keys.sorted() : Array(fields.keys)
        for key in keys {
            guard let value = fields[key] else { continue }
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(key)
            bytes.append(UInt8(ascii: ":"))
            member(&self, value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func array<Value>(_ items: [Value], _ item: (inout JSONOutput, Value) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (offset, value) in items.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            item(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}
