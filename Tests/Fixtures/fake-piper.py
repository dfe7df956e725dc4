#!/usr/bin/env python3
"""A stand-in for `piper -d DIR` that misbehaves on purpose, for failure tests only
(the piper plugin's real tests use the real Piper). FAKE_PIPER_MODE:
  crash  answers the first line (the warm-up), then dies while "speaking" the next one
  hang   answers the first line, then never answers again
"""
import os, sys, time, wave

args = sys.argv[1:]
out_dir = args[args.index("-d") + 1]
mode = os.environ.get("FAKE_PIPER_MODE", "crash")
for count, line in enumerate(sys.stdin):
    if count >= 1:
        if mode == "crash":
            os._exit(3)
        time.sleep(3600)
    path = os.path.join(out_dir, f"{time.monotonic_ns()}.wav")
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\x00\x00" * 2205)
    print(f"INFO:__main__:Wrote {path}", file=sys.stderr, flush=True)
