/// Expands `${VAR}` and `${VAR:-default}` in config values. An unset `${VAR}` without a default is
/// an error: silently substituting "" would turn a typo into a confusing engine failure later.
struct EnvironmentExpansion {
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case unset(String)
        case unterminated
    }

    func expand(_ text: String) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw .unterminated }
            let expression = rest[start.upperBound..<end]
            if let separator = expression.range(of: ":-") {
                let name = String(expression[..<separator.lowerBound])
                let value = environment[name] ?? ""
                result += value.isEmpty ? String(expression[separator.upperBound...]) : value
            } else {
                guard let value = environment[String(expression)] else { throw .unset(String(expression)) }
                result += value
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
