/// Unguessable tokens from the system's CSPRNG (`SystemRandomNumberGenerator` reads getrandom),
/// eight bytes per call.
public enum RandomToken {
    public static func hex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(bytes * 2)
        var remaining = bytes
        while remaining > 0 {
            var word = generator.next()
            for _ in 0..<min(8, remaining) {
                let byte = UInt8(truncatingIfNeeded: word)
                text += byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
                word >>= 8
            }
            remaining -= 8
        }
        return text
    }
}
