import Foundation
import PluginAPI
import PluginRuntime

/// A `multipart/form-data` body built in memory (recordings are bounded by the hub).
struct MultipartForm {
    /// 128 random bits (from getrandom: `UUID()` opened /dev/urandom for every recording).
    let boundary = "clawmux-" + RandomToken.hex(bytes: 16)
    private(set) var body = Data()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func addField(_ name: String, _ value: String) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    mutating func addFile(_ name: String, filename: String, contentType: String, data: Data) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: \(contentType)\r\n\r\n")
        body.append(data)
        append("\r\n")
    }

    /// Closes the form; call once, after the last part.
    mutating func finish() -> Data {
        append("--\(boundary)--\r\n")
        return body
    }

    private mutating func append(_ text: String) {
        body.append(contentsOf: Array(text.utf8))
    }
}
