#!/usr/bin/env python3
"""A tiny engine for launch tests: listens on PORT and forwards every request to TARGET."""
import http.server, os, signal, sys, threading, time, urllib.request

port, target = int(sys.argv[1]), sys.argv[2]

# Started from a test process whose threads block signals, it inherits that mask: SIGTERM would
# never arrive. Take the default handling back, and end with the parent whatever happens to it.
signal.pthread_sigmask(signal.SIG_SETMASK, [])
parent = os.getppid()

def watch_parent():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)

threading.Thread(target=watch_parent, daemon=True).start()

class Forward(http.server.BaseHTTPRequestHandler):
    def forward(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(target + self.path, data=body, method=method)
        for name in ("Content-Type", "Authorization"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request) as response:
                status, payload, kind = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, payload, kind = error.code, error.read(), "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self.forward("GET")

    def do_POST(self):
        self.forward("POST")

http.server.ThreadingHTTPServer(("127.0.0.1", port), Forward).serve_forever()
