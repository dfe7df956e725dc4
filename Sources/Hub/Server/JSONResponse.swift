import Hummingbird
import WireJSON

/// JSON bodies for REST answers; errors are `{"error": "..."}` as in the original.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: value.encodedText())))
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        make(.object(["error": .string(message)]), status: status)
    }

    static func error(_ error: SessionError) -> Response {
        self.error(error.description, status: HTTPResponse.Status(code: error.httpStatus))
    }
}
