"""The plumbing every scripted fake model server here shares (stdlib only).

Each Tests/Agents/fake_*.py fakes one model API for driving a real agent CLI offline and
decides its answers itself; this module is everything around that:

  RequestLog            the request log: entries numbered from 1 (`seq`), appended as JSON
                        lines to --log, served at GET /__log, summarised one line a request
                        on stderr (unless --quiet); request bodies saved to --dump-dir as
                        NNN-<kind>.json
  FakeHandler           base HTTP handler: reads bodies (Content-Length or chunked), answers
                        JSON and SSE, HEAD, and GET /__log; the rest is the server's
  add_common_arguments  --host --port --port-file --log --dump-dir --max-seconds
                        --no-parent-watch --watch-pid --quiet
  serve                 listen, print the port as the FIRST line of stdout, write --port-file
                        atomically, exit on SIGTERM/SIGINT/SIGHUP, when the parent process
                        (or --watch-pid) is gone, or after --max-seconds

Every stderr line starts with the server's name in brackets ("[fake-anthropic] ...").
The servers run as `python3 Tests/Agents/<script>.py` and import this file as a sibling.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def now() -> float:
    return time.time()


def new_id(prefix: str, hex_len: int = 20) -> str:
    return f"{prefix}_fake{uuid.uuid4().hex[:hex_len]}"


class RequestLog:
    """The requests a server answered; thread-safe. `configure` it from the parsed arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.path: str | None = None
        self.quiet = False
        self.dump_dir: str | None = None
        self._lock = threading.Lock()
        self._entries: list[dict] = []
        self._dumps = 0

    def configure(self, args: argparse.Namespace) -> None:
        self.path, self.quiet, self.dump_dir = args.log, args.quiet, args.dump_dir

    def say(self, text: str) -> None:
        print(f"[{self.name}] {text}", file=sys.stderr, flush=True)

    def record(self, entry: dict) -> int:
        """Number the entry (`seq`), keep it, write it to --log and summarise it; returns seq."""
        with self._lock:
            entry["seq"] = len(self._entries) + 1
            self._entries.append(entry)
            if self.path:
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            if not self.quiet:
                tools = entry.get("tools")
                tl = f" tools={len(tools)}" if tools is not None else ""
                mcp = f" mcp={entry.get('mcp_tools')}" if entry.get("mcp_tools") else ""
                self.say(f"#{entry['seq']} {entry['method']} {entry['path']} "
                         f"kind={entry.get('kind')} model={entry.get('model')} stream={entry.get('stream')}"
                         f"{tl}{mcp} step={entry.get('step')} last={entry.get('last', '')[:100]!r}")
            return entry["seq"]

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def dump(self, kind: str, body: bytes, seq: int | None = None) -> None:
        """Save a request body to --dump-dir as NNN-<kind>.json (pretty JSON when it parses);
        NNN is `seq` when given, else the number of bodies dumped so far."""
        if not self.dump_dir:
            return
        os.makedirs(self.dump_dir, exist_ok=True)
        with self._lock:
            self._dumps += 1
            n = self._dumps if seq is None else seq
        path = os.path.join(self.dump_dir, f"{n:03d}-{kind}.json")
        try:
            obj = json.loads(body)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(obj, f, indent=1, ensure_ascii=False)
        except Exception:
            with open(path, "wb") as f:
                f.write(body)


class FakeHandler(BaseHTTPRequestHandler):
    """Base handler. A server sets `log`, `server_version`, `request_id_header` (and
    `id_hex_len`), defines `handle_get` for GETs other than /__log, and `do_POST`."""

    protocol_version = "HTTP/1.1"
    log: RequestLog
    request_id_header = "request-id"
    id_hex_len = 20

    def log_message(self, fmt, *a):  # silence default access log
        pass

    def read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        data = b""
        if n:
            data = self.rfile.read(n)
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
        return data

    def send_json(self, code: int, obj) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header(self.request_id_header, new_id("req", self.id_hex_len))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_sse(self, events, event_delay: float = 0.0) -> None:
        """Stream (event, data) pairs as server-sent events, then close the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header(self.request_id_header, new_id("req", self.id_hex_len))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for ev, data in events:
                self.wfile.write(f"event: {ev}\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()
                if event_delay:
                    time.sleep(event_delay)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_HEAD(self):
        self.send_json(200, {})

    def do_GET(self):
        if self.path.split("?", 1)[0].rstrip("/") == "/__log":
            return self.send_json(200, self.log.entries())
        self.handle_get()

    def handle_get(self) -> None:
        self.send_json(200, {})


def add_common_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("common options (fake_server_common.py)")
    g.add_argument("--host", default="127.0.0.1")
    g.add_argument("--port", type=int, default=0)
    g.add_argument("--port-file", help="write the port here (atomically) once listening")
    g.add_argument("--log", help="append one JSON line per request")
    g.add_argument("--dump-dir", help="save every request body here")
    g.add_argument("--max-seconds", type=float, default=900.0, help="exit after this long (0 = never)")
    g.add_argument("--no-parent-watch", action="store_true",
                   help="do not exit when the parent process dies")
    g.add_argument("--watch-pid", type=int, default=0, help="also exit when this pid is gone")
    g.add_argument("--quiet", action="store_true", help="no per-request line on stderr")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watchdog(say, parent: int, watch_pid: int, deadline: float) -> None:
    # Polling, not prctl(PR_SET_PDEATHSIG): that fires when the spawning *thread*
    # exits, which in a test runner (Foundation.Process, thread pools) is too early.
    while True:
        time.sleep(0.25)
        if parent and os.getppid() != parent:
            say("parent died, exiting")
            break
        if watch_pid and not pid_alive(watch_pid):
            say(f"pid {watch_pid} gone, exiting")
            break
        if deadline and now() > deadline:
            say("--max-seconds reached, exiting")
            break
    os._exit(0)


def serve(args: argparse.Namespace, handler: type[FakeHandler]) -> None:
    """Run `handler` (whose `log` is configured from `args`) until the process is told to end."""
    handler.log.configure(args)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    port = server.server_address[1]
    print(port, flush=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: os._exit(0))
    parent = 0 if args.no_parent_watch else os.getppid()
    deadline = now() + args.max_seconds if args.max_seconds > 0 else 0
    threading.Thread(target=watchdog, args=(handler.log.say, parent, args.watch_pid, deadline),
                     daemon=True).start()
    server.serve_forever(poll_interval=0.2)
