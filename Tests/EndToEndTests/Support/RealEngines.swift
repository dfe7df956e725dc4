import Foundation

/// The real OpenAI-compatible servers `scripts/test.sh` starts: local-tts-studio (Piper voice
/// from PyPI) and faster-whisper-server (Whisper tiny.en from PyPI).
enum RealEngines {
    static var ttsURL: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_TTS_URL"] }
    static var sttURL: String? { ProcessInfo.processInfo.environment["CLAWMUX_TEST_STT_URL"] }
    static var available: Bool { ttsURL != nil && sttURL != nil }
}
