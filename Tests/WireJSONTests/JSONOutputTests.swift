import Foundation
import Testing
import WireJSON

@Suite struct JSONOutputTests {
    @Test func writesCompactSortedJSON() {
        let tree: Tree = .object(["b": .array([.int(1), .double(2.5), .null, .bool(true)]), "a": .string("x")])
        #expect(tree.text == #"{"a":"x","b":[1,2.5,null,true]}"#)
    }

    @Test func escapesOnlyWhatJSONNeeds() {
        #expect(Tree.string("a\"b\\c/d\n\r\t\u{8}\u{C}\u{1}\u{1F} é😀").text == #""a\"b\\c/d\n\r\t\b\f\u0001\u001f é😀""#)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(Tree.array([.double(.infinity), .double(.nan)]).text == "[null,null]")
    }

    /// Whatever is written reads back the same (through our parser and Foundation's).
    @Test func roundTrips() throws {
        var generator = SeededGenerator(seed: 7)
        var checked = 0
        for _ in 0..<2000 {
            guard let tree = Tree.parse(RandomJSON.document(using: &generator)) else { continue }
            let text = tree.text
            #expect(Tree.parse(text) == tree, "\(text)")
            #expect(try JSONDecoder().decode(FoundationTree.self, from: Data(text.utf8)).tree.comparable == tree.comparable)
            checked += 1
        }
        #expect(checked > 1000)
    }

    @Test func doublesReadBackExactly() {
        for value in [0.1, 1e-7, 6.02e23, -2.5, 1.0 / 3.0, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude] {
            #expect(Tree.parse(Tree.double(value).text) == .double(value), "\(value)")
        }
    }
}
