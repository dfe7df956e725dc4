/// Every link of a chain failed (or was down).
struct ChainFailure: Error, CustomStringConvertible {
    let attempts: [(backend: String, error: String)]

    var description: String {
        if attempts.isEmpty { return "no engine is configured" }
        // Engine errors usually start with the engine's name already ("kokoro is unreachable ...").
        return "every engine failed: " + attempts.map { attempt in
            attempt.error.hasPrefix(attempt.backend + " ") ? attempt.error : "\(attempt.backend): \(attempt.error)"
        }.joined(separator: "; ")
    }
}
