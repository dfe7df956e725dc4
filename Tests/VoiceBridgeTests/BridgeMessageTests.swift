
import Testing
import WireJSON
import BridgeProtocol

struct BridgeMessageTests {
    // MARK: BridgeRequest

    @Test func converseDefaultsToWaitingWithoutRequestID() throws {
        let request = try BridgeRequest.parse(#"{"type":"converse","message":"Hello"}"#)
        #expect(request == .converse(message: "Hello", waitForResponse: true, requestID: nil))
    }

    @Test func converseReadsWaitForResponseAndRequestID() throws {
        let request = try BridgeRequest.parse(
            #"{"type":"converse","message":"Bye","wait_for_response":false,"request_id":"r-7"}"#)
        #expect(request == .converse(message: "Bye", waitForResponse: false, requestID: "r-7"))
    }

    @Test func converseWithoutMessageIsRefused() {
        #expect(throws: BridgeRequest.ParseError.missingField("message")) {
            try BridgeRequest.parse(#"{"type":"converse"}"#)
        }
    }

    @Test func statusCheckParses() throws {
        #expect(try BridgeRequest.parse(#"{"type":"status_check"}"#) == .statusCheck)
    }

    @Test func badJSONIsRefused() {
        #expect(throws: BridgeRequest.ParseError.notJSON) {
            try BridgeRequest.parse("{not json")
        }
        #expect(throws: BridgeRequest.ParseError.notJSON) {
            try BridgeRequest.parse(#""converse""#)
        }
    }

    @Test func unknownTypeIsNamed() {
        #expect(throws: BridgeRequest.ParseError.unknownType("shout")) {
            try BridgeRequest.parse(#"{"type":"shout"}"#)
        }
        #expect(throws: BridgeRequest.ParseError.unknownType("(none)")) {
            try BridgeRequest.parse(#"{"message":"Hello"}"#)
        }
    }

    @Test(arguments: [
        BridgeRequest.converse(message: "Hi \"there\"", waitForResponse: false, requestID: "r-1"),
        .converse(message: "Hi", waitForResponse: true, requestID: nil),
        .statusCheck,
    ])
    func requestRoundTripsThroughJSON(_ request: BridgeRequest) throws {
        #expect(try BridgeRequest.parse(request.json.encodedText()) == request)
    }

    // MARK: BridgeReply

    @Test(arguments: [
        BridgeReply.converseResult(text: "Yes please", requestID: "r-1"),
        .converseResult(text: "(session muted)", requestID: nil),
        .statusResult(connected: true),
        .statusResult(connected: false),
        .error(message: "unknown message type 'x'"),
    ])
    func replyRoundTripsThroughJSON(_ reply: BridgeReply) {
        #expect(BridgeReply.parse(reply.json.encodedText()) == reply)
    }

    @Test func converseResultUsesTheOriginalFieldNames() {
        let json = BridgeReply.converseResult(text: "ok", requestID: "r-2").json
        #expect(json == JSONValue.object(["type": .string("converse_result"), "text": .string("ok"), "request_id": .string("r-2")]))
    }

    @Test func replyParseRejectsUnknownOrIncompleteMessages() {
        #expect(BridgeReply.parse(#"{"type":"converse_result"}"#) == nil)
        #expect(BridgeReply.parse(#"{"type":"nonsense"}"#) == nil)
        #expect(BridgeReply.parse("not json") == nil)
    }

    @Test func aRejectedConverseIsAnsweredWithAnErrorResultSoItsCallerDoesNotWait() {
        #expect(BridgeReply.rejecting(#"{"type":"converse","request_id":"r-9"}"#, because: "missing or invalid field 'message'")
            == .converseResult(text: "Error: invalid converse request: missing or invalid field 'message'", requestID: "r-9"))
        #expect(BridgeReply.rejecting(#"{"type":"dance"}"#, because: "unknown message type 'dance'")
            == .error(message: "unknown message type 'dance'"))
        #expect(BridgeReply.rejecting("{{{", because: "expected a JSON object") == .error(message: "expected a JSON object"))
    }
}
