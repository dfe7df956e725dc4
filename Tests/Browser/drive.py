#!/usr/bin/env python3
"""Drives the ClawMux page in headless Chromium (Playwright, sync API) through one scenario of
Tests/Browser/scenarios.py, with a fake microphone that says the words of --wav.

    .venv/bin/python Tests/Browser/drive.py --url http://127.0.0.1:PORT --token T \
        --scenario end-to-end --wav answer.wav --expect "Please run the unit tests now." \
        --screenshots .build/ui-artifacts/end-to-end

Prints {"sync": NAME, ...} lines where the test must act on the hub (it answers with one JSON
line on stdin), then one result line: {"ok": true, "facts": {...}, ...}. On failure it exits 1
with {"ok": false, "error": ...}, a screenshot, the page's window.clawmux.log and console
messages (also written to the screenshots dir)."""

import argparse
import json
import os
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from page import THINKING_OBSERVER, Failure, Page  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the hub, e.g. http://127.0.0.1:3460")
    parser.add_argument("--token", required=True)
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--wav", required=True, help="what the fake microphone says (16-bit PCM WAV)")
    parser.add_argument("--expect", default="Please run the unit tests now.", help="the words in --wav")
    parser.add_argument("--screenshots", required=True, help="directory for screenshots and failure dumps")
    parser.add_argument("--chromium", default=os.environ.get("CLAWMUX_TEST_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--timeout-scale", type=float, default=1.0, help="multiply every wait")
    parser.add_argument("--headed", action="store_true", help="show the browser (needs a display)")
    return parser.parse_args()


def launch(playwright, args):
    # The fake device plays the WAV from its start each time capture opens, then silence.
    flags = [
        "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={os.path.abspath(args.wav)}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ]
    return playwright.chromium.launch(executable_path=args.chromium, headless=not args.headed, args=flags)


def watch_socket(ws, frames):
    """Keeps a short record of the page's WebSocket traffic for failure dumps (audio data cut)."""
    def note(direction, payload):
        text = payload if isinstance(payload, str) else f"<{len(payload)} bytes>"
        frames.append(f"{time.strftime('%H:%M:%S')} {direction} {text[:300]}")
        del frames[:-400]
    frames.append(f"{time.strftime('%H:%M:%S')} open {ws.url}")
    ws.on("framereceived", lambda payload: note("<-", payload))
    ws.on("framesent", lambda payload: note("->", payload))
    ws.on("close", lambda _: frames.append(f"{time.strftime('%H:%M:%S')} close"))


def dump_failure(ui, console, frames, args, error):
    """Everything a person needs to see why: screenshot, the page's log, console; as files and JSON."""
    result = {"ok": False, "scenario": args.scenario, "error": error, "screenshots": ui.shots if ui else []}
    if ui is None:
        return result
    try:
        result["screenshot"] = ui.shot("failure")
    except Exception as exc:  # the page may be gone
        result["screenshot_error"] = str(exc)
    try:
        ui.poll()
    except Exception:
        pass
    try:
        result["state"] = ui.state()
    except Exception:
        result["state"] = None
    result["dump"] = os.path.join(args.screenshots, "failure-log.json")
    with open(result["dump"], "w") as out:
        json.dump({"error": error, "log": ui.entries, "state": result["state"], "console": console,
                   "websocket": frames}, out, indent=1)
    result["log_tail"] = ui.entries[-40:]
    result["console_tail"] = console[-30:]
    return result


def main():
    args = arguments()
    if not os.access(args.chromium, os.X_OK):
        print(json.dumps({"ok": False, "error": f"no chromium at {args.chromium}"}), flush=True)
        return 2
    # Only this script's own outputs go: the caller may keep files there (drive.stderr).
    os.makedirs(args.screenshots, exist_ok=True)
    for name in os.listdir(args.screenshots):
        if name.endswith(".png") or name == "failure-log.json":
            os.remove(os.path.join(args.screenshots, name))
    from playwright.sync_api import sync_playwright

    console, frames, ui, began = [], [], None, time.monotonic()
    with sync_playwright() as playwright:
        browser = launch(playwright, args)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.grant_permissions(["microphone"], origin=args.url)
            context.add_init_script(THINKING_OBSERVER)
            page = context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.on("websocket", lambda ws: watch_socket(ws, frames))
            ui = Page(page, args.screenshots, args.timeout_scale)
            facts = SCENARIOS[args.scenario](ui, args)
            facts["page_errors"] = [line for line in console if line.startswith("pageerror:")]
            result = {"ok": True, "scenario": args.scenario, "facts": facts, "screenshots": ui.shots,
                      "seconds": round(time.monotonic() - began, 1)}
        except Exception as failure:  # Failure, Playwright errors, and bugs of this script alike
            if not isinstance(failure, Failure):
                traceback.print_exc()
            result = dump_failure(ui, console, frames, args, f"{type(failure).__name__}: {failure}")
        finally:
            browser.close()
    print(json.dumps(result), flush=True)
    if not result["ok"]:
        print(f"drive.py {args.scenario}: FAILED: {result['error']} (see {args.screenshots})", file=sys.stderr)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
