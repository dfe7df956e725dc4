/// A strict JSON (RFC 8259) parser over UTF-8 bytes. Invalid input, nesting deeper than
/// `maxDepth`, and control characters inside strings give nil; invalid UTF-8 inside strings is
/// repaired (U+FFFD), as `String(decoding:as:)` does.
public enum JSONParser {
    public static let maxDepth = 512

    @inlinable
    public static func parse<Tree: JSONTreeBuilding>(_ text: String, as _: Tree.Type = Tree.self) -> Tree? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    @inlinable
    public static func parse<Tree: JSONTreeBuilding>(bytes: some Collection<UInt8>, as _: Tree.Type = Tree.self) -> Tree? {
        if let parsed = bytes.withContiguousStorageIfAvailable({ parse(UnsafeRawBufferPointer($0)) as Tree? }) {
            return parsed
        }
        return Array(bytes).withUnsafeBytes { parse($0) }
    }

    @inlinable
    public static func parse<Tree: JSONTreeBuilding>(_ bytes: UnsafeRawBufferPointer) -> Tree? {
        var reader = JSONReader(bytes)
        guard let value: Tree = reader.value(depth: 0) else { return nil }
        reader.skipWhitespace()
        return reader.atEnd ? value : nil
    }
}
