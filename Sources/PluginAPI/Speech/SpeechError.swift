/// Failures common to speech engines, worded for the agent and the logs.
public enum SpeechError: Error, Sendable, CustomStringConvertible {
    case engineStatus(engine: String, status: Int, body: String)
    case unreachable(engine: String, detail: String)
    case timedOut(engine: String, after: Duration)
    case badResponse(engine: String, detail: String)
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .engineStatus(let engine, let status, let body):
            let snippet = body.isEmpty ? "" : ": \(body.prefix(200))"
            return "\(engine) answered HTTP \(status)\(snippet)"
        case .unreachable(let engine, let detail):
            return "\(engine) is unreachable (\(detail))"
        case .timedOut(let engine, let after):
            return "\(engine) did not answer within \(after)"
        case .badResponse(let engine, let detail):
            return "\(engine) sent an unexpected response: \(detail)"
        case .responseTooLarge(let limit):
            return "audio larger than \(limit) bytes"
        }
    }
}
