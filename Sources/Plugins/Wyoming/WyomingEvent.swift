import Foundation
import WireJSON

/// One Wyoming message: a type, JSON data and an optional binary payload (audio).
///
/// On the wire: a JSON header line (`type`, `data_length`, `payload_length`, `version`, and in
/// older peers the data inline as `data`), then `data_length` bytes of JSON, then the payload.
struct WyomingEvent: Sendable {
    let type: String
    let data: [String: JSONValue]
    let payload: Data

    init(type: String, data: [String: JSONValue] = [:], payload: Data = Data()) {
        self.type = type
        self.data = data
        self.payload = payload
    }

    /// Header line (data in its own block, as current peers write it), data block, payload.
    func encoded() -> Data {
        var header: [String: JSONValue] = ["type": .string(type), "version": .string("1.5.2")]
        var dataBlock = Data()
        if !data.isEmpty {
            dataBlock = Data(JSONValue.object(data).encodedText().utf8)
            header["data_length"] = .int(dataBlock.count)
        }
        if !payload.isEmpty { header["payload_length"] = .int(payload.count) }
        var bytes = Data(JSONValue.object(header).encodedText().utf8)
        bytes.append(0x0A)
        bytes.append(dataBlock)
        bytes.append(payload)
        return bytes
    }

    func int(_ key: String) -> Int? {
        data[key]?.intValue
    }

    func string(_ key: String) -> String? {
        data[key]?.stringValue
    }
}

/// Cuts a byte stream into Wyoming events; accepts data inline in the header, in the separate
/// block, or both (the block's keys win).
struct WyomingReader {
    enum Failure: Error, CustomStringConvertible {
        case badHeader(String)
        case tooLarge(Int)

        var description: String {
            switch self {
            case .badHeader(let line): "malformed Wyoming header: \(line.prefix(120))"
            case .tooLarge(let size): "Wyoming message of \(size) bytes is too large"
            }
        }
    }

    private var buffer = Data()
    private var pending: (type: String, data: [String: JSONValue], dataLength: Int, payloadLength: Int)?
    private let limit = 64 << 20

    mutating func append(_ bytes: Data) {
        buffer.append(bytes)
    }

    /// The next complete event, or nil when more bytes are needed.
    mutating func next() throws -> WyomingEvent? {
        if pending == nil {
            guard let newline = buffer.firstIndex(of: 0x0A) else {
                if buffer.count > 1 << 20 { throw Failure.tooLarge(buffer.count) }
                return nil
            }
            let line = buffer[buffer.startIndex..<newline]
            buffer.removeSubrange(buffer.startIndex...newline)
            guard let header = JSONValue.decode(bytes: line), let type = header["type"]?.stringValue else {
                throw Failure.badHeader(String(decoding: line, as: UTF8.self))
            }
            let dataLength = header["data_length"]?.intValue ?? 0
            let payloadLength = header["payload_length"]?.intValue ?? 0
            // Compared one by one: a hostile length near Int.max must not overflow the sum.
            guard (0...limit).contains(dataLength), (0...limit).contains(payloadLength), dataLength + payloadLength <= limit else {
                throw Failure.tooLarge(max(dataLength, payloadLength))
            }
            pending = (type, header["data"]?.objectValue ?? [:], dataLength, payloadLength)
        }
        guard let current = pending, buffer.count >= current.dataLength + current.payloadLength else { return nil }
        var data = current.data
        let start = buffer.startIndex
        if current.dataLength > 0 {
            let block = buffer[start..<start + current.dataLength]
            guard let extra = JSONValue.decode(bytes: block)?.objectValue else {
                throw Failure.badHeader("data block is not a JSON object")
            }
            data.merge(extra) { _, new in new }
        }
        let payload = Data(buffer[start + current.dataLength ..< start + current.dataLength + current.payloadLength])
        buffer.removeSubrange(start ..< start + current.dataLength + current.payloadLength)
        pending = nil
        return WyomingEvent(type: current.type, data: data, payload: payload)
    }
}
