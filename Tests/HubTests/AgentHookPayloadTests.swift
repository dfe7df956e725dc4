@testable import Hub
import Testing
import WireJSON

/// Claude Code 2.1.332's hook payloads (fields as measured) and what the session takes from them.
struct AgentHookPayloadTests {
    func payload(_ event: String, _ fields: [String: JSONValue] = [:]) -> JSONValue {
        var all: [String: JSONValue] = [
            "session_id": .string("3f1c"), "transcript_path": .string("/tmp/t.jsonl"), "cwd": .string("/home/me/proj"),
            "hook_event_name": .string(event),
        ]
        all.merge(fields) { $1 }
        return .object(all)
    }

    @Test func aBashToolSaysItsCommand() throws {
        let report = try AgentHookPayload.report(from: payload("PreToolUse", [
            "tool_name": .string("Bash"), "tool_use_id": .string("toolu_1"),
            "tool_input": .object(["command": .string("npm test"), "description": .string("Run the tests")]),
        ]))
        let input = #"{"command":"npm test","description":"Run the tests"}"#
        #expect(report == .toolStarted(tool: "Bash", detail: "npm test", call: ToolCall(id: "toolu_1", input: input)))
    }

    @Test func aPermissionRequestSaysWhatItAsksAndTheSameInputAsItsPreToolUse() throws {
        let toolInput: JSONValue = .object(["description": .string("Run the tests"), "command": .string("npm test")])
        let suggestion: JSONValue = .object(["type": .string("addRules"), "destination": .string("localSettings")])
        let ask = try #require(try AgentHookPayload.permissionAsk(from: payload("PermissionRequest", [
            "tool_name": .string("Bash"), "tool_input": toolInput, "permission_suggestions": .array([suggestion]),
        ])))
        #expect(ask.tool == "Bash" && ask.detail == "npm test")
        // "Allow for this session": this very command for the session, then the agent's own suggestions.
        let rule: JSONValue = .object([
            "type": .string("addRules"), "rules": .array([.object(["toolName": .string("Bash"), "ruleContent": .string("npm test")])]),
            "behavior": .string("allow"), "destination": .string("session"),
        ])
        #expect(ask.suggestions == [rule, suggestion])
        #expect(ClaudePermissionReply.sessionRule(tool: "Bash", input: .object(["command": .string("make\nrm -rf /")])) == nil,
                "a rule holds one line")
        #expect(ClaudePermissionReply.sessionRule(tool: "Edit", input: .object([:]))?["rules"] == .array([.object(["toolName": .string("Edit")])]))
        guard case .toolStarted(_, _, let call?) = try AgentHookPayload.report(from: payload("PreToolUse", [
            "tool_name": .string("Bash"), "tool_input": toolInput, "tool_use_id": .string("toolu_9"),
        ])) else { Issue.record("no call"); return }
        #expect(call.input == ask.input)
        // Other events are not permission requests; one without a tool is refused.
        #expect(try AgentHookPayload.permissionAsk(from: payload("PreToolUse", ["tool_name": .string("Bash")])) == nil)
        #expect(throws: AgentHookPayload.Problem.missing("tool_name")) { try AgentHookPayload.permissionAsk(from: payload("PermissionRequest")) }
        #expect(throws: AgentHookPayload.Problem.notAnObject) { try AgentHookPayload.permissionAsk(from: .array([])) }
    }

    @Test func theHooksAnswerToAPermissionRequest() throws {
        let suggestion: JSONValue = .object(["type": .string("addRules"), "destination": .string("localSettings")])
        func decision(_ outcome: PermissionOutcome) -> JSONValue? {
            ClaudePermissionReply.json(outcome, suggestions: [suggestion])?["hookSpecificOutput"]?["decision"]
        }
        #expect(ClaudePermissionReply.json(.decided(.allow, by: .user), suggestions: [])?["hookSpecificOutput"]?["hookEventName"] == .string("PermissionRequest"))
        #expect(decision(.decided(.allow, by: .voice)) == .object(["behavior": .string("allow")]))
        // For this session only: never written into the user's settings files.
        #expect(decision(.decided(.allowSession, by: .user))?["updatedPermissions"]
            == .array([.object(["type": .string("addRules"), "destination": .string("session")])]))
        #expect(decision(.decided(.deny, by: .user))?["behavior"] == .string("deny"))
        #expect(decision(.timedOut(after: .seconds(120)))?["message"]?.stringValue?.contains("within 2 min") == true)
        #expect(decision(.sessionEnded)?["behavior"] == .string("deny"))
        // Withdrawn: no decision at all (the agent's own dialog decides).
        #expect(ClaudePermissionReply.json(.withdrawn, suggestions: []) == nil)
    }

    @Test func anEditSaysItsFileRelativeToTheProject() throws {
        let report = try AgentHookPayload.report(from: payload("PreToolUse", [
            "tool_name": .string("Edit"), "tool_input": .object(["file_path": .string("/home/me/proj/src/parser.ts")]),
        ]))
        #expect(report == .toolStarted(tool: "Edit", detail: "src/parser.ts"))
    }

    @Test func aLongOrMultiLineCommandIsCutToItsFirstLine() {
        let long = String(repeating: "x", count: 300)
        #expect(AgentHookPayload.detail(tool: "Bash", input: .object(["command": .string("set -e\nmake")]), cwd: nil) == "set -e")
        #expect(AgentHookPayload.detail(tool: "Bash", input: .object(["command": .string(long)]), cwd: nil)?.count == AgentHookPayload.detailLimit)
        #expect(AgentHookPayload.detail(tool: "mcp__voice-hub__converse", input: .object([:]), cwd: nil) == nil)
    }

    @Test func theOtherEventsAndTheOnesNotUsedYet() throws {
        #expect(try AgentHookPayload.report(from: payload("UserPromptSubmit", ["prompt": .string("hi")])) == .promptSubmitted)
        #expect(try AgentHookPayload.report(from: payload("PostToolUse", ["tool_name": .string("Bash")])) == .toolFinished(tool: "Bash"))
        #expect(try AgentHookPayload.report(from: payload("Notification", [
            "notification_type": .string("permission_prompt"), "message": .string("Claude needs your permission to use Bash"),
        ])) == .notification(kind: "permission_prompt", message: "Claude needs your permission to use Bash"))
        #expect(try AgentHookPayload.report(from: payload("Stop", ["last_assistant_message": .string("Done.")])) == .turnEnded(lastMessage: "Done."))
        #expect(try AgentHookPayload.report(from: payload("PreCompact")) == .compacting)
        #expect(try AgentHookPayload.report(from: payload("SessionEnd")) == .sessionEnded)
        #expect(try AgentHookPayload.report(from: payload("SubagentStop")) == nil)
    }

    @Test func codexsNotifyEndsTheTurnWithItsLastMessage() throws {
        let notify = JSONValue.object([
            "type": .string("agent-turn-complete"), "turn-id": .string("t1"),
            "input-messages": .array([.string("hi")]), "last-assistant-message": .string("All done."),
        ])
        #expect(try AgentHookPayload.report(from: notify) == .turnEnded(lastMessage: "All done."))
        #expect(try AgentHookPayload.report(from: .object(["type": .string("something-else")])) == nil)
    }

    @Test func malformedPayloadsAreRefused() {
        #expect(throws: AgentHookPayload.Problem.notAnObject) { try AgentHookPayload.report(from: .array([])) }
        #expect(throws: AgentHookPayload.Problem.missing("hook_event_name")) { try AgentHookPayload.report(from: .object([:])) }
        #expect(throws: AgentHookPayload.Problem.missing("tool_name")) { try AgentHookPayload.report(from: payload("PreToolUse")) }
    }
}
