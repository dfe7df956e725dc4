import PluginAPI
import Testing
import PluginRuntime

struct RandomTokenTests {
    @Test(arguments: [0, 1, 3, 4, 7, 8, 9, 24, 32, 33])
    func hasTwoLowercaseHexDigitsPerByte(_ bytes: Int) {
        let token = RandomToken.hex(bytes: bytes)
        #expect(token.count == bytes * 2)
        #expect(token.allSatisfy { "0123456789abcdef".contains($0) }, "\(token)")
    }

    @Test func tokensDiffer() {
        let tokens = Set((0..<1000).map { _ in RandomToken.hex(bytes: 8) })
        #expect(tokens.count == 1000)
    }

    /// Every byte value shows up (no digit is dropped, e.g. a missing leading zero).
    @Test func everyByteValueAppears() {
        var seen = Set<Substring>()
        for _ in 0..<2000 {
            let token = RandomToken.hex(bytes: 32)
            var index = token.startIndex
            while index < token.endIndex {
                let next = token.index(index, offsetBy: 2)
                seen.insert(token[index..<next])
                index = next
            }
        }
        #expect(seen.count == 256)
    }
}
