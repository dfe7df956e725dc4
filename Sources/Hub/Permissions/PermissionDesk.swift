/// A session's pending permission requests, as a plain value the session machine owns: which
/// are pending (in the order asked), which were settled (a second decision is a conflict),
/// and which one is being asked aloud and how often.
struct PermissionDesk: Sendable {
    /// A spoken question is asked at most this often when the answer is neither yes nor no.
    static let maxAsks = 3
    /// Settled request ids kept to tell "already decided" from "unknown".
    static let settledMemory = 64

    private(set) var pending: [PermissionRequest] = []
    private var settled: [String] = []
    /// Times each pending request was asked aloud.
    private var asks: [String: Int] = [:]
    /// Pending requests to be asked aloud (again) when the floor is free.
    private var due: Set<String> = []
    /// The agent's recent `PreToolUse` calls: (tool_use_id, tool, input), to find which call a
    /// request is about (Claude Code sends it ~0.1 s later, without the id).
    private var recentCalls: [(id: String, tool: String, input: String)] = []

    enum Lookup: Equatable { case pending, settled, unknown }

    func lookup(_ id: String) -> Lookup {
        if pending.contains(where: { $0.id == id }) { return .pending }
        return settled.contains(id) ? .settled : .unknown
    }

    func request(_ id: String) -> PermissionRequest? { pending.first { $0.id == id } }

    mutating func add(_ request: PermissionRequest, input: String) {
        var request = request
        request.toolUseID = recentCalls.last { $0.tool == request.tool && $0.input == input }?.id
        pending.append(request)
        due.insert(request.id)
    }

    /// Removes a pending request; nil when it was not pending.
    mutating func settle(_ id: String) -> PermissionRequest? {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return nil }
        asks[id] = nil
        due.remove(id)
        settled.append(id)
        if settled.count > Self.settledMemory { settled.removeFirst(settled.count - Self.settledMemory) }
        return pending.remove(at: index)
    }

    mutating func toolStarted(id: String, tool: String, input: String) {
        recentCalls.append((id, tool, input))
        if recentCalls.count > 16 { recentCalls.removeFirst() }
    }

    /// The requests a finished call settles: the one about that call (in the terminal).
    func settledBy(toolUseID: String) -> [String] {
        pending.filter { $0.toolUseID == toolUseID }.map(\.id)
    }

    /// The next request to ask aloud (the oldest due) and how often it was asked before.
    func nextToAsk() -> (request: PermissionRequest, asked: Int)? {
        pending.first { due.contains($0.id) }.map { ($0, asks[$0.id] ?? 0) }
    }

    mutating func asking(_ id: String) {
        due.remove(id)
        asks[id, default: 0] += 1
    }

    /// The answer was neither yes nor no: asked again, up to `maxAsks` times in all.
    mutating func unclear(_ id: String) {
        guard lookup(id) == .pending, (asks[id] ?? 0) < Self.maxAsks else { return }
        due.insert(id)
    }

    /// The question was cut short before the user could answer (a converse took the floor).
    mutating func interrupted(_ id: String) {
        guard lookup(id) == .pending else { return }
        asks[id] = max(0, (asks[id] ?? 1) - 1)
        due.insert(id)
    }
}
