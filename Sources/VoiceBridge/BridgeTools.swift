import WireJSON
/// The MCP tools the bridge offers, with descriptions that tell an agent how to use them.
enum BridgeTools {
    static let converse = "converse"
    static let status = "voice_chat_status"

    static let list: JSONValue = .array([
        .object([
            "name": .string(converse),
            "description": .string("""
                Talk with the user by voice through the ClawMux hub: `message` is spoken aloud in the \
                browser, then the user's spoken answer is recorded, transcribed and returned as text. \
                This is how you communicate in voice mode: call converse in a loop — act on the answer, \
                then call converse again to report back and hear what to do next. Keep messages short \
                and conversational (no markdown or code). Set wait_for_response to false to speak \
                without listening (e.g. a final goodbye). Special results: "(session muted)" means the \
                user muted the microphone, "(no speech detected)" means they said nothing; results \
                starting with "Error:" describe a failure.
                """),
            "inputSchema": .object([
                "type": .string("object"),
                "properties": .object([
                    "message": .object(["type": .string("string"), "description": .string("What to say to the user.")]),
                    "wait_for_response": .object([
                        "type": .string("boolean"), "default": .bool(true),
                        "description": .string("Listen for the user's answer after speaking (default true)."),
                    ]),
                    "voice": .object([
                        "type": .string("string"),
                        "description": .string("Ignored: the voice is chosen per session in the browser."),
                    ]),
                ]),
                "required": .array([.string("message")]),
            ]),
        ]),
        .object([
            "name": .string(status),
            "description": .string("Check whether the ClawMux hub is reachable and a browser is connected to hear you."),
            "inputSchema": .object(["type": .string("object"), "properties": .object([:])]),
        ]),
    ])
}
