import Foundation
import Testing
import WireJSON

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() {
        let text = #" { "s": "hi", "i": -42, "d": 2.5, "e": 1e3, "t": true, "f": false, "n": null, "a": [1, [], {}], "o": {"k": "v"} } "#
        #expect(Tree.parse(text) == .object([
            "s": .string("hi"), "i": .int(-42), "d": .double(2.5), "e": .double(1000), "t": .bool(true), "f": .bool(false),
            "n": .null, "a": .array([.int(1), .array([]), .object([:])]), "o": .object(["k": .string("v")]),
        ]))
    }

    @Test func topLevelScalarsAndWhitespace() {
        #expect(Tree.parse("\t\r\n 7 \n") == .int(7))
        #expect(Tree.parse(#""x""#) == .string("x"))
        #expect(Tree.parse("null") == .null)
    }

    @Test func decodesEscapes() {
        #expect(Tree.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(Tree.parse(#""\u00e9\u4e2d\uD83D\uDE00""#) == .string("é中😀"))
        // A lone surrogate cannot be a Swift string: it becomes U+FFFD, the rest is kept.
        #expect(Tree.parse(#""a\uD83Db""#) == .string("a\u{FFFD}b"))
        #expect(Tree.parse(#""\uDE00""#) == .string("\u{FFFD}"))
        #expect(Tree.parse("\"caf\u{e9} \u{1F600}\"") == .string("café 😀"))
    }

    @Test func numbers() {
        #expect(Tree.parse("0") == .int(0))
        #expect(Tree.parse("-0") == .int(0))
        #expect(Tree.parse("9223372036854775807") == .int(Int.max))
        #expect(Tree.parse("-9223372036854775808") == .int(Int.min))
        // Past Int: read as a Double rather than refused.
        #expect(Tree.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(Tree.parse("1.5E-2") == .double(0.015))
        #expect(Tree.parse("-1e+2") == .double(-100))
        // Beyond Double's range: refused (JSON has no infinity to write it back as).
        #expect(Tree.parse("1e999") == nil)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "+1", "1e", "1e+",
        "tru", "nul", "True", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"tab\there\"",
        "\"line\nbreak\"", "1 2", "{} x", "[1] ]", "NaN", "Infinity", "'single'",
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(Tree.parse(text) == nil, "\(text.debugDescription) should be refused")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let depth = 100_000
        #expect(Tree.parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) == nil)
        let allowed = JSONParser.maxDepth
        #expect(Tree.parse(String(repeating: "[", count: allowed) + String(repeating: "]", count: allowed)) != nil)
    }

    @Test func invalidUTF8InsideStringsIsRepaired() {
        let bytes: [UInt8] = Array("\"ab".utf8) + [0xFF, 0xFE] + Array("cd\"".utf8)
        #expect(JSONParser.parse(bytes: bytes) == Tree.string("ab\u{FFFD}\u{FFFD}cd"))
    }

    @Test func bytesFromAnyCollection() {
        let slice = Array("xx[1,2]".utf8).dropFirst(2)
        #expect(JSONParser.parse(bytes: slice) == Tree.array([.int(1), .int(2)]))
    }

    @Test func duplicateKeysKeepTheLast() {
        #expect(Tree.parse(#"{"a":1,"a":2}"#) == .object(["a": .int(2)]))
    }

    /// The same answers as Foundation's parser on a corpus of documents, valid and not.
    @Test func agreesWithFoundation() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let text = RandomJSON.document(using: &generator)
            let ours = Tree.parse(text)
            let theirs = try? JSONDecoder().decode(FoundationTree.self, from: Data(text.utf8)).tree
            // Foundation refuses a lone surrogate escape; we read it as U+FFFD (a page's text
            // with half an emoji is not worth refusing).
            let loneSurrogate = ours != nil && theirs == nil && ours?.text.contains("\u{FFFD}") == true
            #expect((ours == nil) == (theirs == nil) || loneSurrogate, "\(text)")
            if let ours, let theirs { #expect(theirs.comparable == ours.comparable, "\(text)") }
        }
    }
}

extension Tree {
    /// Integers and doubles compared as numbers (Foundation does not tell them apart).
    var comparable: Tree {
        switch self {
        case .int(let value): .double(Double(value))
        case .array(let items): .array(items.map(\.comparable))
        case .object(let fields): .object(fields.mapValues(\.comparable))
        default: self
        }
    }
}

/// The old way (Foundation's JSONDecoder), to compare with.
struct FoundationTree: Decodable {
    let tree: Tree

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { tree = .null }
        else if let value = try? container.decode(Bool.self) { tree = .bool(value) }
        else if let value = try? container.decode(Double.self) { tree = .double(value) }
        else if let value = try? container.decode(String.self) { tree = .string(value) }
        else if let value = try? container.decode([FoundationTree].self) { tree = .array(value.map(\.tree)) }
        else { tree = .object(try container.decode([String: FoundationTree].self).mapValues(\.tree)) }
    }
}
