/// Terminal reads can end in the middle of a multi-byte character; decoding such a read would
/// turn the character into U+FFFD. This finds where the complete characters end.
enum UTF8Boundary {
    /// The number of leading bytes that form complete UTF-8 sequences; the rest belongs to
    /// a character whose remaining bytes have not arrived yet.
    static func completePrefixLength(of bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        while index >= 0, bytes.count - index <= 4 {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {  // an ASCII byte or the lead byte of a sequence
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return bytes.count - index >= length ? bytes.count : index
            }
            index -= 1
        }
        return bytes.count
    }
}
