#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import WireJSON

/// One session's conversation as it happens: an append-only JSON Lines file in the state dir
/// (`transcripts/<session id>.jsonl`, mode 0600). Each line is written (into the kernel's page
/// cache: a hub that dies a moment later loses nothing) before the message is passed on, and
/// synced to the disk (fdatasync) right after, on a queue all sessions share, off the conversation's
/// path: the benchmark showed the sync and the queue hops, twice per turn, at 8 % of the hub's
/// CPU and up to 4 ms of a turn on a busy disk.
struct TranscriptLog {
    enum Role: String {
        case assistant, user
    }

    let path: String
    private let fd: Int32
    private let syncer: Syncer

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
        syncer = Syncer(fd: fd)
    }

    /// Returns false when the line could not be written, or an earlier line could not be synced
    /// (the disk is full), or the log is closed: logged by the caller. One write of a short line
    /// to the page cache (microseconds); what waits for the disk, the sync, is queued.
    @discardableResult
    func append(_ role: Role, _ text: String, requestID: String? = nil, at time: Date = Date()) -> Bool {
        var fields: [String: JSONValue] = ["time": .number(time.timeIntervalSince1970), "role": .string(role.rawValue), "text": .string(text)]
        if let requestID { fields["request_id"] = .string(requestID) }
        let entry: JSONValue = .object(fields)
        var line = entry.encodedText() + "\n"
        return syncer.writing { fd in
            line.withUTF8 { bytes in
                guard let base = bytes.baseAddress else { return false }
                var offset = 0
                while offset < bytes.count {
                    let count = write(fd, base + offset, bytes.count - offset)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return false }
                    offset += count
                }
                return true
            }
        }
    }

    /// After the sync of the lines written so far; later appends are refused.
    func close() {
        syncer.close()
    }

    /// Owns the descriptor: writes go through it (never to a closed, maybe reused, number), and
    /// it syncs the file on the one queue all logs share; lines written while a sync waits share
    /// the next one. One queue, not one per session: 50 sessions' syncs waiting on the disk at
    /// once made libdispatch start a thread for each (the benchmark: 51 threads, +8 MB RSS).
    private final class Syncer: Sendable {
        private let fd: Int32
        private static let queue = DispatchQueue(label: "clawmux.transcript.sync")
        /// `failed` stays set until an append reports it: a sync error is told once, not lost
        /// to a later sync that succeeds (Linux reports a writeback error only once).
        private let state = Mutex<(queued: Bool, failed: Bool, closed: Bool)>((false, false, false))

        init(fd: Int32) {
            self.fd = fd
        }

        /// Runs `write` with the descriptor unless closed, then queues a sync unless one is queued
        /// already; false when the write failed, the log is closed or an earlier sync failed.
        func writing(_ write: (Int32) -> Bool) -> Bool {
            let outcome = state.withLock { state -> (written: Bool, earlierSyncFailed: Bool, queueSync: Bool) in
                guard !state.closed else { return (false, false, false) }
                let written = write(fd)
                defer {
                    state.queued = true
                    state.failed = false
                }
                return (written, state.failed, !state.queued)
            }
            if outcome.queueSync {
                Self.queue.async {
                    self.state.withLock { $0.queued = false }
                    if fdatasync(self.fd) != 0 { self.state.withLock { $0.failed = true } }
                }
            }
            return outcome.written && !outcome.earlierSyncFailed
        }

        func close() {
            let wasOpen = state.withLock { state in
                defer { state.closed = true }
                return !state.closed
            }
            guard wasOpen else { return }
            Self.queue.async {
                _ = fdatasync(self.fd)
                _ = Glibc.close(self.fd)
            }
        }
    }

    /// The request id of the last line the agent said, if it had one: a converse that a bridge
    /// sends again after a hub restart is not written twice.
    static func lastAgentRequestID(directory: String, sessionID: String) -> String? {
        guard let entries = read(directory: directory, sessionID: sessionID) else { return nil }
        return entries.last { $0["role"]?.stringValue == Role.assistant.rawValue }?["request_id"]?.stringValue
    }

    /// The entries of a session's transcript, oldest first; nil when there is none.
    static func read(directory: String, sessionID: String) -> [JSONValue]? {
        guard let data = FileManager.default.contents(atPath: path(directory: directory, sessionID: sessionID)) else { return nil }
        // A line cut short by a crash mid-write is skipped, not fatal.
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { JSONValue.decode(String($0)) }
    }
}
