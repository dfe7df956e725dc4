/// Every link of a chain failed (or was down).
struct ChainFailure: Error, CustomStringConvertible {
    let attempts: [(backend: String, error: String)]

    var description: String {
        if attempts.isEmpty { return "no engine is configured" }
        return "every engine failed: " + attempts.map { "\($0.backend): \($0.error)" }.joined(separator: "; ")
    }
}
