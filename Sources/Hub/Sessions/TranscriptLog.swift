#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One session's conversation as it happens: an append-only JSON Lines file in the state dir
/// (`transcripts/<session id>.jsonl`, mode 0600), each line on disk (fdatasync) before the
/// message is passed on, so nothing said is lost if the hub dies a moment later.
struct TranscriptLog {
    enum Role: String {
        case assistant, user
    }

    let path: String
    private let fd: Int32
    /// One per session: its lines stay in order.
    private let queue = DispatchQueue(label: "clawmux.transcript")

    static func path(directory: String, sessionID: String) -> String {
        "\(directory)/\(sessionID).jsonl"
    }

    init(directory: String, sessionID: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = Self.path(directory: directory, sessionID: sessionID)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }

    /// Returns false when the line could not be written (the disk is full): logged by the caller.
    /// The write and the sync (which may take a while on a busy disk) run on a queue of their
    /// own, never on one of the few threads every task of the hub shares; the caller waits.
    @discardableResult
    func append(_ role: Role, _ text: String, at time: Date = Date()) async -> Bool {
        let entry: JSONValue = .object(["time": .number(time.timeIntervalSince1970), "role": .string(role.rawValue), "text": .string(text)])
        let bytes = Array((entry.encodedText() + "\n").utf8)
        let fd = self.fd
        return await withCheckedContinuation { continuation in
            queue.async {
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return continuation.resume(returning: false) }
                    offset += written
                }
                continuation.resume(returning: fdatasync(fd) == 0)
            }
        }
    }

    /// After the lines still queued.
    func close() {
        let fd = self.fd
        queue.async { _ = Glibc.close(fd) }
    }

    /// The entries of a session's transcript, oldest first; nil when there is none.
    static func read(directory: String, sessionID: String) -> [JSONValue]? {
        guard let data = FileManager.default.contents(atPath: path(directory: directory, sessionID: sessionID)) else { return nil }
        // A line cut short by a crash mid-write is skipped, not fatal.
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { JSONValue.decode(String($0)) }
    }
}
