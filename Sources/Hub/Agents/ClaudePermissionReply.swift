import WireJSON

/// What a Claude Code `PermissionRequest` hook prints for an outcome: allow, allow with the
/// agent's own suggestions scoped to this session (never written to the user's settings files),
/// or deny with a reason the model reads. nil: no decision (the agent's own dialog stays).
enum ClaudePermissionReply {
    static func json(_ outcome: PermissionOutcome, suggestions: [JSONValue]) -> JSONValue? {
        let decision: JSONValue
        switch outcome {
        case .decided(.allow, _):
            decision = .object(["behavior": .string("allow")])
        case .decided(.allowSession, _):
            decision = .object(["behavior": .string("allow"), "updatedPermissions": .array(suggestions.map(sessionScoped))])
        case .decided(.deny, let by):
            decision = deny(by == .voice ? "The user said no to this." : "The user denied this.")
        case .timedOut(let after):
            decision = deny("The user did not answer within \(ConverseMachine.seconds(after)), so this was not allowed. "
                + "Ask the user with converse if you still need it.")
        case .sessionEnded:
            decision = deny("The voice session ended before the user answered.")
        case .withdrawn:
            return nil
        }
        return .object(["hookSpecificOutput": .object(["hookEventName": .string("PermissionRequest"), "decision": decision])])
    }

    /// A session rule that allows this call again: the same Bash command (as Claude Code's own
    /// "don't ask again for this command"), any other tool by name (its "allow all edits this
    /// session"). nil for a command Claude Code's rule syntax cannot hold as it is.
    static func sessionRule(tool: String, input: JSONValue) -> JSONValue? {
        var rule: [String: JSONValue] = ["toolName": .string(tool)]
        if tool == "Bash" {
            guard let command = input["command"]?.stringValue, !command.isEmpty, !command.contains(where: \.isNewline),
                  !command.contains("(") && !command.contains(")") else { return nil }
            rule["ruleContent"] = .string(command)
        }
        return .object([
            "type": .string("addRules"), "rules": .array([.object(rule)]), "behavior": .string("allow"), "destination": .string("session"),
        ])
    }

    private static func deny(_ message: String) -> JSONValue {
        .object(["behavior": .string("deny"), "message": .string(message)])
    }

    /// A suggestion (`{"type": "addRules", ..., "destination": "localSettings"}`) applied to the
    /// session only.
    private static func sessionScoped(_ suggestion: JSONValue) -> JSONValue {
        guard case .object(var fields) = suggestion else { return suggestion }
        fields["destination"] = .string("session")
        return .object(fields)
    }
}
