#!/usr/bin/env python3
"""The latency a person feels, measured through the real page in headless Chromium (run by
`clawmux-bench voice`, which starts the hub, the engines and a demo agent in bench mode).

Per turn: (a) the agent calls converse -> the first audio sample plays in the page;
(b) the user's speech ends -> the agent has the text, in stages; (c) on every other turn the
agent says something long and the user taps the mic during it -> silence.

The fake microphone says --answer (parts joined with --pause seconds of silence), made with
Piper and trimmed, so the end of speech is known to the millisecond: an injected AudioWorklet
finds the speech's onset in each recording, and the end is the onset plus the known length.
Clocks: the page's log carries wall-clock ms (performance.timeOrigin based), the agent's report
wall-clock seconds, all on one machine.

Prints one JSON line: {"ok": bool, "turns": [...], "summary": {...}, "table": "..."}."""

import argparse
import array
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import wave

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from page import Failure, Page, overlap  # noqa: E402

THRESHOLD = 0.01   # RMS of a 128-sample block that counts as speech (the onset detector's and the WAV's)
BLOCK = 128

# Reports every recording's speech onset (wall-clock ms) in window.__clawmuxMic, in order.
ONSET_DETECTOR = """
window.__clawmuxMic = [];
(() => {
  const devices = navigator.mediaDevices;
  if (!devices || !devices.getUserMedia) return;
  const original = devices.getUserMedia.bind(devices);
  const code = `class Onset extends AudioWorkletProcessor {
    constructor() { super(); this.seen = false; }
    process(inputs) {
      const ch = inputs[0] && inputs[0][0];
      if (ch && !this.seen) {
        let sum = 0;
        for (let i = 0; i < ch.length; i++) sum += ch[i] * ch[i];
        if (Math.sqrt(sum / ch.length) >= THRESHOLD) { this.seen = true; this.port.postMessage(currentTime); }
      }
      return !this.seen;
    }
  }
  registerProcessor('clawmux-onset', Onset);`.replace('THRESHOLD', String(__THRESHOLD__));
  const url = URL.createObjectURL(new Blob([code], { type: 'application/javascript' }));
  devices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    const entry = { opened: performance.timeOrigin + performance.now(), onset: null };
    window.__clawmuxMic.push(entry);
    try {
      const copy = stream.clone();
      const context = new AudioContext();
      await context.audioWorklet.addModule(url);
      const node = new AudioWorkletNode(context, 'clawmux-onset');
      context.createMediaStreamSource(copy).connect(node);
      node.connect(context.destination);
      node.port.onmessage = (event) => {
        entry.onset = performance.timeOrigin + performance.now() - (context.currentTime - event.data) * 1000;
        copy.getTracks().forEach((t) => t.stop());
        context.close();
      };
    } catch (error) {
      entry.error = String(error);
    }
    return stream;
  };
})();
""".replace("__THRESHOLD__", str(THRESHOLD))


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--session", required=True)
    parser.add_argument("--report", required=True, help="the bench agent's JSON lines")
    parser.add_argument("--start-fifo", required=True, help="opened once the page is ready: the agent starts")
    parser.add_argument("--hub-log", required=True, help="the hub's log (debug): STT times")
    parser.add_argument("--turns", type=int, required=True, help="the agent's turns; the first is a warm-up")
    parser.add_argument("--answer", action="append", required=True, help="a part of the spoken answer (repeat)")
    parser.add_argument("--pause", type=float, default=0.7, help="seconds of silence between the parts")
    parser.add_argument("--tap-every", type=int, default=2, help="turns whose number is a multiple of this are interrupted by a tap")
    parser.add_argument("--tap-after", type=float, default=1.0, help="seconds of the agent's speech before the tap")
    parser.add_argument("--vad-silence", type=int, default=0, help="the page's pause that ends an answer, ms (0: its default)")
    parser.add_argument("--piper", required=True)
    parser.add_argument("--piper-model", required=True)
    parser.add_argument("--chromium", default=os.environ.get("CLAWMUX_TEST_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--workdir", required=True, help="for the WAV and failure dumps")
    return parser.parse_args()


# ---------- the spoken answer ----------

def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise Failure(f"{path}: expected 16-bit mono")
        samples = array.array("h")
        samples.frombytes(w.readframes(w.getnframes()))
        return w.getframerate(), samples


def loud_blocks(samples):
    """Indices of the 128-sample blocks at or above THRESHOLD."""
    loud = []
    for start in range(0, len(samples) - BLOCK + 1, BLOCK):
        block = samples[start:start + BLOCK]
        rms = (sum(s * s for s in block) / BLOCK) ** 0.5 / 32768
        if rms >= THRESHOLD:
            loud.append(start // BLOCK)
    return loud


def speak(args, text, path):
    subprocess.run([args.piper, "--model", args.piper_model, "--output_file", path],
                   input=text.encode(), check=True, capture_output=True, timeout=120)
    rate, samples = read_wav(path)
    loud = loud_blocks(samples)
    if not loud:
        raise Failure(f"Piper said nothing audible for {text!r}")
    return rate, samples[loud[0] * BLOCK:(loud[-1] + 1) * BLOCK]


def make_answer(args):
    """The microphone's WAV: 0.5 s of silence, the parts with pauses, 1 s of silence. Returns
    (path, seconds from the file's start to the speech's onset, speech length in seconds)."""
    parts, rate = [], None
    for index, text in enumerate(args.answer):
        rate, part = speak(args, text, os.path.join(args.workdir, f"part{index}.wav"))
        parts.append(part)
    silence = lambda seconds: array.array("h", [0] * int(rate * seconds))  # noqa: E731
    audio = silence(0.5)
    for index, part in enumerate(parts):
        if index:
            audio += silence(args.pause)
        audio += part
    audio += silence(1.0)
    path = os.path.join(args.workdir, "answer.wav")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(audio.tobytes())
    loud = loud_blocks(audio)
    return path, loud[0] * BLOCK / rate, (loud[-1] + 1 - loud[0]) * BLOCK / rate


# ---------- the run ----------

def release_agent(fifo):
    deadline = time.monotonic() + 30
    while True:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise Failure(f"the agent does not wait on {fifo}")
            time.sleep(0.01)


def agent_turn(report, turn, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(report) as lines:
                for line in lines:
                    entry = json.loads(line)
                    if entry.get("turn") == turn:
                        return entry
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    raise Failure(f"the agent never finished turn {turn}")


def first_audio_times(log_path):
    """Seconds from a turn's converse to its first audio at the hub (debug 'first audio after=…'), in order."""
    times = []
    with open(log_path, errors="replace") as log:
        for line in log:
            found = re.search(r"after=([0-9.e-]+) seconds", line)
            if found and "first audio" in line:
                times.append(float(found.group(1)))
    return times


def stt_times(log_path):
    """Seconds each recording's transcription kept the user waiting, in order: the hub's debug line
    'recording transcribed … waited=…' (older hubs: 'transcribed … took=…', the whole STT)."""
    waited, took = [], []
    with open(log_path, errors="replace") as log:
        for line in log:
            found = re.search(r"(waited|took)=([0-9.e-]+) (seconds|milliseconds|ms|s)\b", line)
            if not found or "transcribed" not in line:
                continue
            value = float(found.group(2)) / (1000 if found.group(3) in ("milliseconds", "ms") else 1)
            (waited if found.group(1) == "waited" else took).append(value)
    return waited or took


def run_turns(ui, args, onset_offset, speech_length):
    session = args.session
    turns, cursor = [], ui.last_index()
    for number in range(1, args.turns + 1):
        turn = {"turn": number, "tap": number % args.tap_every == 0}
        i_text, said = ui.wait_event("assistant-text", session, cursor, timeout=120)
        i_audio, audio = ui.wait_event("audio-start", session, i_text, timeout=60)
        if turn["tap"]:
            ui.page.wait_for_timeout(int(args.tap_after * 1000))
            ui.page.click("#mic")
            _, tap = ui.wait_event("mic-tap", None, i_audio, timeout=10)
            _, stop = ui.wait_event("audio-stop", session, i_audio, timeout=10)
            turn["tap_to_silence_ms"] = stop["at"] - tap["at"]
        i_rec, _ = ui.wait_event("record-start", session, i_audio, timeout=60)
        recordings = ui.page.evaluate("() => window.__clawmuxMic.length")
        i_stop, stopped = ui.wait_event("record-stop", session, i_rec, timeout=60)
        if stopped.get("reason") != "vad":
            raise Failure(f"turn {number}: the recording stopped by {stopped.get('reason')!r}, not by a pause")
        i_sent, sent = ui.wait_event("recording-sent", session, i_stop, timeout=30)
        i_heard, heard = ui.wait_event("user-text", session, i_sent, timeout=60)
        agent = agent_turn(args.report, number)
        mic = ui.page.evaluate("n => window.__clawmuxMic[n - 1]", recordings)
        if not mic or not mic.get("onset"):
            raise Failure(f"turn {number}: no speech onset found in the recording ({mic})")
        speech_end = mic["onset"] + speech_length * 1000
        turn.update({
            "ok": bool(agent.get("ok")), "heard": agent.get("heard"), "kind": said.get("kind"),
            "converse_to_sound_ms": audio["at"] - agent["called_at"] * 1000,
            "speech_end_to_agent_ms": agent["at"] * 1000 - speech_end,
            "detect_ms": stopped["decided"] - speech_end,
            "finish_ms": sent["at"] - stopped["decided"],
            "hub_ms": agent["at"] * 1000 - sent["at"],
            "mic_open_to_onset_ms": mic["onset"] - mic["opened"],
        })
        turns.append(turn)
        cursor = i_heard
    return turns


# ---------- numbers ----------

def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def describe(values):
    return {"n": len(values), "median": round(statistics.median(values), 1), "p90": round(percentile(values, 0.9), 1),
            "min": round(min(values), 1), "max": round(max(values), 1)} if values else None


def summary(turns, stt, first_audio):
    measured = [t for t in turns if t["turn"] > 1]   # the first turn warms Piper and Whisper
    pick = lambda key, rows=measured: [t[key] for t in rows if key in t]  # noqa: E731
    result = {key: describe(pick(key)) for key in (
        "converse_to_sound_ms", "speech_end_to_agent_ms", "detect_ms", "finish_ms", "hub_ms",
        "tap_to_silence_ms")}
    # The transcriptions of the measured turns (one per turn; the warm-up's is the first).
    result["stt_ms"] = describe([s * 1000 for s in stt[1:len(turns)]])
    result["tts_first_audio_ms"] = describe([s * 1000 for s in first_audio[1:len(turns)]])
    result["wrong"] = sum(not t["ok"] for t in turns)
    return result


def table(s):
    rows = [("(a) converse → first sound", "converse_to_sound_ms"),
            ("    of which converse → first audio at the hub (TTS)", "tts_first_audio_ms"),
            ("(b) speech end → agent has the text", "speech_end_to_agent_ms"),
            ("    end-of-speech detection", "detect_ms"),
            ("    recording finished and sent", "finish_ms"),
            ("    sent → the agent has it (upload, decoding, STT, hub, bridge)", "hub_ms"),
            ("      of which waiting for STT (hub log)", "stt_ms"),
            ("(c) tap during speech → silence", "tap_to_silence_ms")]
    lines = ["| stage | n | median ms | p90 ms | min | max |", "|---|---|---|---|---|---|"]
    for label, key in rows:
        d = s.get(key)
        if d:
            lines.append(f"| {label} | {d['n']} | {d['median']} | {d['p90']} | {d['min']} | {d['max']} |")
    return "\n".join(lines)


def main():
    args = arguments()
    os.makedirs(args.workdir, exist_ok=True)
    wav, onset_offset, speech_length = make_answer(args)
    from playwright.sync_api import sync_playwright
    console, ui = [], None
    with sync_playwright() as playwright:
        flags = ["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={wav}%noloop", "--autoplay-policy=no-user-gesture-required"]
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=flags)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.grant_permissions(["microphone"], origin=args.url)
            context.add_init_script(ONSET_DETECTOR)
            if args.vad_silence:
                # As if the user had set it in ⚙ (the page reads it at load).
                context.add_init_script(f"localStorage.setItem('clawmux.vad.silence', '{args.vad_silence}')")
            page = context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            ui = Page(page, args.workdir)
            page.goto(f"{args.url}/?token={args.token}", wait_until="load")
            ui.wait_conn("connected", 20)
            ui.wait_until(lambda: args.session in (ui.state().get("sessions") or {}), 30, "the session in the page")
            page.click(f'#tabs .tab[data-session-id="{args.session}"]')
            if ui.state().get("auto") is not True:
                raise Failure("the page is not in Auto mode")
            release_agent(args.start_fifo)
            turns = run_turns(ui, args, onset_offset, speech_length)
            s = summary(turns, stt_times(args.hub_log), first_audio_times(args.hub_log))
            result = {"ok": s["wrong"] == 0, "speech_s": round(speech_length, 3), "pause_s": args.pause,
                      "turns": turns, "summary": s, "table": table(s),
                      "page_errors": [c for c in console if c.startswith("pageerror")]}
        except Exception as error:  # noqa: BLE001 - everything becomes the failure line
            entries = ui.entries[-60:] if ui else []
            result = {"ok": False, "error": f"{type(error).__name__}: {error}", "log_tail": entries, "console": console[-30:]}
        finally:
            browser.close()
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
