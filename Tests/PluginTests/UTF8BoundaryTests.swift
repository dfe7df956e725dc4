@testable import Plugins
import Testing

struct UTF8BoundaryTests {
    @Test func completeTextIsAllComplete() {
        #expect(UTF8Boundary.completePrefixLength(of: Array("héllo ✓".utf8)) == Array("héllo ✓".utf8).count)
        #expect(UTF8Boundary.completePrefixLength(of: []) == 0)
    }

    @Test func aCharacterCutInTwoWaitsForTheRest() {
        let check = Array("ok ✓".utf8)  // ✓ is three bytes
        #expect(UTF8Boundary.completePrefixLength(of: Array(check.dropLast())) == 3)
        #expect(UTF8Boundary.completePrefixLength(of: Array(check.dropLast(2))) == 3)
        let emoji = Array("a😀".utf8)
        #expect(UTF8Boundary.completePrefixLength(of: Array(emoji.dropLast())) == 1)
    }
}
