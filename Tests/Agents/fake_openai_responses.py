#!/usr/bin/env python3
"""Scripted fake OpenAI Responses API for driving the real OpenAI Codex CLI offline.

Stdlib only. Listens on 127.0.0.1 (port 0 = any free port by default) and
prints the chosen port as the FIRST line of stdout (and/or writes it to
--port-file). Point Codex (tested with codex-cli 0.147.0) at it with

    codex -c model_provider=fake -c model=gpt-5.5 \
      -c model_providers.fake.name=fake \
      -c model_providers.fake.base_url=http://127.0.0.1:$PORT/v1 \
      -c model_providers.fake.wire_api=responses ...

(no API key is needed; with -c model_providers.fake.env_key=VAR the variable
must be set or the turn fails with "Missing environment variable". Do not use
gpt-5.4 / gpt-5.4-mini: Codex 0.147 then opens a "no longer available" model
migration dialog before the session starts.)

Endpoints
  POST /v1/responses (also /responses)   stream:true -> SSE, otherwise a JSON response
  POST /v1/responses/compact             a JSON {"output": []} (remote compaction)
  GET  /v1/models[/<id>]                 a small model list / model object
  GET  /__log                            the request log (JSON list) - handy for tests
  anything else                          200 {} (GET/HEAD) / 200 {"ok": true} (POST)

How Codex 0.147 offers the MCP tool (server `voice-hub` -> namespace `mcp__voice_hub`)
  * model from Codex's catalog (gpt-5.5, gpt-5.6-*, ...): MCP tools are deferred.
    The request has a {"type": "tool_search", "execution": "client"} tool whose
    description lists "voice-hub"; the model must first emit an output item
        {"type": "tool_search_call", "execution": "client", "call_id": ...,
         "arguments": {"query": "...", "limit": 8}}
    and Codex answers in the next request's input with a tool_search_output
    whose "tools" hold {"type": "namespace", "name": "mcp__voice_hub",
    "tools": [{"type": "function", "name": "converse", ...}]}.
    (If the MCP server is not up yet - required=false - that list is empty.)
  * unknown model slug (e.g. -c model=voice-fake): no tool_search; the request's
    own `tools` hold that namespace directly (and Codex prints a "Model metadata
    for `voice-fake` not found" warning line).
  Either way the call is a function_call item carrying
      "namespace": "mcp__voice_hub", "name": "converse", "arguments": "<json>"
  and the result comes back as a function_call_output whose output is a string
      'Wall time: 0.0012 seconds\nOutput:\n[{"type":"text","text":"..."}]'
  (or 'tool call error: ... timed out awaiting tools/call after 300s ...').
  Older builds used flat function tools named "mcp__voice-hub__converse"; that
  form is recognised too (the call is emitted in the form the request offered).

The script (main conversation only)
  A request is "main" when it has any tools; a request without tools (side
  requests: titles, summaries) gets a short plain text answer. The step is
  derived from the request's `input` (stateless), counting only what follows
  the last user prompt (a role=user message that is not Codex's own
  <environment_context> / AGENTS.md / <user_instructions> preamble), so each
  new prompt restarts it:

    converse neither offered nor found, tool_search offered, no tool_search yet
                 : tool_search_call {"query": "voice-hub converse", "limit": 8}
    n converse results so far (function_call_output for a converse call)
      n <  turns : function_call converse
                     n == 0: {"message": "Hello from Codex. Turn 1?"}
                     else  : {"message": "You said: <last output>. Turn n+1?"}
      n == turns : function_call converse {"message": <goodbye>, "wait_for_response": false}
      n >  turns : assistant text ("Conversation finished after N turns.") and complete
  If the converse tool is not available the main request ends with the text
  "voice-hub converse tool is not available."

Logging: one JSON object per request to --log (JSON lines), also served at
GET /__log, and a one-line summary to stderr (unless --quiet). Fields include
path, model, stream, kind (main/side/other), tools (top level names),
namespaces ({ns: [function names]}), mcp_converse_offered, converse_form
("namespace"/"flat"/null), converse_where ("tools"/"tool_search"/null),
tool_search_offered, tool_search_done, step, converse_results, last (summary of
the last input item), reply, authorization (whether an Authorization header
came). --dump-dir saves every request body
as NNN-<kind>.json.

Lifetime: exits when its parent process dies (polled; disable with
--no-parent-watch) or --watch-pid is gone, after --max-seconds (default 900),
or on SIGTERM/SIGINT. The log, the command-line options shared with the other
fake servers and the serving live in fake_server_common.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time
import zlib

# fake_server_common.py is a sibling: find it even under -P, and leave no __pycache__ here
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from fake_server_common import FakeHandler, RequestLog, add_common_arguments, now, serve  # noqa: E402
from fake_server_common import new_id as common_new_id  # noqa: E402

SERVER = "voice-hub"
TOOL = "converse"

ID_HEX_LEN = 24

ARGS: argparse.Namespace
LOG = RequestLog("fake-openai")


# --------------------------------------------------------------------------- helpers

def new_id(prefix: str) -> str:
    return common_new_id(prefix, ID_HEX_LEN)


def sanitize(name: str) -> str:
    """Codex's tool-name sanitising: anything outside [A-Za-z0-9_] becomes '_'."""
    return "".join(c if (c.isascii() and (c.isalnum() or c == "_")) else "_" for c in name)


def namespace_name() -> str:
    return f"mcp__{sanitize(ARGS.server)}"


def flat_names() -> set[str]:
    return {f"mcp__{ARGS.server}__{ARGS.tool}", f"mcp__{sanitize(ARGS.server)}__{ARGS.tool}"}


WALL_TIME = re.compile(r"\AWall time: [0-9.]+ \w+\s*\nOutput:\s*\n?")


def content_text(content) -> str:
    """Flatten a message content / function_call_output output into plain text.

    Codex 0.147 hands an MCP result to the model as a string
        'Wall time: 4.9270 seconds\nOutput:\n[{"type":"text","text":"..."}]'
    (the JSON list of the MCP content blocks); both parts are undone here.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        s = WALL_TIME.sub("", content, count=1).strip()
        if s.startswith("[") or s.startswith("{"):
            try:
                return content_text(json.loads(s)) or s
            except Exception:
                pass
        return s
    if isinstance(content, dict):
        if "content" in content and isinstance(content["content"], (list, str)):
            return content_text(content["content"])
        content = [content]
    out = []
    for b in content:
        if not isinstance(b, dict):
            out.append(str(b))
            continue
        t = b.get("type")
        if "text" in b and isinstance(b.get("text"), str):
            out.append(b["text"])
        else:
            out.append(f"[{t}]")
    return "\n".join(x for x in out if x)


def tool_summary(req: dict) -> tuple[list[str], dict]:
    names, namespaces = [], {}
    for t in req.get("tools", []) or []:
        if not isinstance(t, dict):
            continue
        n = t.get("name") or t.get("type") or "?"
        names.append(n)
        if t.get("type") == "namespace":
            namespaces[n] = [x.get("name") for x in t.get("tools", []) or [] if isinstance(x, dict)]
    return names, namespaces


def _form_in(tools) -> str | None:
    ns = namespace_name()
    for t in tools or []:
        if not isinstance(t, dict):
            continue
        if t.get("type") == "namespace" and t.get("name") == ns:
            if any(isinstance(x, dict) and x.get("name") == ARGS.tool for x in t.get("tools", []) or []):
                return "namespace"
        if t.get("type") == "function" and t.get("name") in flat_names():
            return "flat"
    return None


def converse_form(req: dict) -> tuple[str | None, str | None]:
    """(form, where): form "namespace" / "flat" / None - how the converse tool is offered;
    where "tools" (the request's tools) or "tool_search" (a tool_search_output in the input)."""
    form = _form_in(req.get("tools"))
    if form:
        return form, "tools"
    for it in req.get("input") or []:
        if isinstance(it, dict) and it.get("type") == "tool_search_output":
            form = _form_in(it.get("tools"))
            if form:
                return form, "tool_search"
    return None, None


def tool_search_offered(req: dict) -> bool:
    return any(isinstance(t, dict) and t.get("type") == "tool_search" for t in req.get("tools") or [])


PREAMBLE_MARKERS = ("<environment_context>", "<user_instructions>", "# AGENTS.md", "<permissions",
                    "<collaboration_mode>", "<skills_instructions>", "<apps_instructions>",
                    "<plugins_instructions>", "<personality", "<model_switch>", "<turn_aborted>")


def is_prompt(item: dict) -> bool:
    if item.get("type", "message") != "message" or item.get("role") != "user":
        return False
    txt = content_text(item.get("content")).lstrip()
    return bool(txt) and not txt.startswith(PREAMBLE_MARKERS)


def is_converse_call(item: dict) -> bool:
    if item.get("type") != "function_call":
        return False
    name, ns = item.get("name"), item.get("namespace")
    if ns == namespace_name() and name == ARGS.tool:
        return True
    return name in flat_names()


def summarize(item: dict | None, limit: int = 160) -> str:
    if not item:
        return ""
    t = item.get("type", "message")
    if t == "message":
        txt = f"{item.get('role')}: {content_text(item.get('content'))}"
    elif t == "function_call":
        ns = item.get("namespace")
        txt = f"function_call {ns + '.' if ns else ''}{item.get('name')} {item.get('arguments')}"
    elif t == "function_call_output":
        txt = f"function_call_output {content_text(item.get('output'))}"
    else:
        txt = f"[{t}]"
    txt = txt.replace("\n", " ")
    return txt if len(txt) <= limit else txt[: limit - 3] + "..."


# --------------------------------------------------------------------------- script

def analyse(req: dict) -> dict:
    items = [i for i in (req.get("input") or []) if isinstance(i, dict)]
    if isinstance(req.get("input"), str):
        items = [{"type": "message", "role": "user", "content": req["input"]}]
    names, namespaces = tool_summary(req)
    form, where = converse_form(req)
    info = {
        "tools": names,
        "namespaces": namespaces,
        "mcp_tools": {k: v for k, v in namespaces.items() if k.startswith("mcp__")} or
                     [n for n in names if n.startswith("mcp__")],
        "mcp_converse_offered": form is not None,
        "converse_form": form,
        "converse_where": where,
        "tool_search_offered": tool_search_offered(req),
        "n_input": len(items),
    }
    info["kind"] = "main" if names else "side"

    start = 0
    for i, it in enumerate(items):
        if is_prompt(it):
            start = i
    converse_ids = set()
    results: list[str] = []
    searched = False
    for i, it in enumerate(items):
        if it.get("type") == "tool_search_call" and i >= start:
            searched = True
        if is_converse_call(it):
            converse_ids.add(it.get("call_id"))
        elif it.get("type") == "function_call_output" and it.get("call_id") in converse_ids and i >= start:
            results.append(content_text(it.get("output")).strip())
    info["prompt"] = summarize(items[start]) if items and is_prompt(items[start]) else ""
    info["tool_search_done"] = searched
    info["converse_results"] = len(results)
    info["_results"] = results
    info["_form"] = form or "namespace"
    return info


def decide(info: dict) -> dict:
    if info["kind"] != "main":
        return {"kind": "text", "text": ARGS.side_text, "step": "side"}
    if not info["mcp_converse_offered"] and info["tool_search_offered"] \
            and not info["tool_search_done"] and not ARGS.no_tool_search:
        # Codex defers MCP tools behind its client-side tool_search tool: ask for it first.
        return {"kind": "tool_search", "args": {"query": ARGS.tool_search_query, "limit": 8},
                "step": "tool_search"}
    if not info["mcp_converse_offered"]:
        return {"kind": "text", "text": f"{ARGS.server} {ARGS.tool} tool is not available.",
                "step": "no_tool"}
    turns = ARGS.turns
    results = info["_results"]
    n = len(results)
    if n < turns:
        if n == 0:
            msg = ARGS.first_message
        else:
            last = results[-1][:500]
            msg = f"You said: {last}. Turn {n + 1}?"
        return {"kind": "call", "args": {"message": msg}, "step": f"converse_{n + 1}",
                "form": info["_form"]}
    if n == turns:
        return {"kind": "call", "args": {"message": ARGS.goodbye, "wait_for_response": False},
                "step": "goodbye", "form": info["_form"]}
    return {"kind": "text", "text": ARGS.final_text.format(turns=turns), "step": "done"}


# --------------------------------------------------------------------------- wire format

def usage(req_body: bytes, out_tokens: int = 8) -> dict:
    inp = max(1, len(req_body) // 4)
    return {"input_tokens": inp, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": out_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": inp + out_tokens}


def output_item(action: dict) -> dict:
    if action["kind"] == "text":
        return {"type": "message", "id": new_id("msg"), "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": action["text"], "annotations": []}]}
    if action["kind"] == "tool_search":
        return {"type": "tool_search_call", "id": new_id("tsc"), "call_id": new_id("call"),
                "status": "completed", "execution": "client", "arguments": action["args"]}
    item = {"type": "function_call", "id": new_id("fc"), "status": "completed",
            "call_id": new_id("call"), "arguments": json.dumps(action["args"])}
    if action["form"] == "flat":
        item["name"] = f"mcp__{ARGS.server}__{ARGS.tool}"
    else:
        item["namespace"] = namespace_name()
        item["name"] = ARGS.tool
    return item


def response_obj(resp_id: str, model: str, status: str, output: list, req_body: bytes) -> dict:
    return {"id": resp_id, "object": "response", "created_at": int(now()), "status": status,
            "model": model, "output": output, "error": None, "incomplete_details": None,
            "usage": usage(req_body) if status == "completed" else None}


def sse_events(model: str, action: dict, req_body: bytes):
    resp_id = new_id("resp")
    item = output_item(action)
    seq = [0]

    def ev(obj):
        obj["sequence_number"] = seq[0]
        seq[0] += 1
        return obj["type"], obj

    yield ev({"type": "response.created",
              "response": response_obj(resp_id, model, "in_progress", [], req_body)})
    yield ev({"type": "response.in_progress",
              "response": response_obj(resp_id, model, "in_progress", [], req_body)})
    step = max(1, ARGS.chunk)
    if item["type"] == "message":
        text = item["content"][0]["text"]
        added = dict(item, status="in_progress", content=[])
        yield ev({"type": "response.output_item.added", "output_index": 0, "item": added})
        yield ev({"type": "response.content_part.added", "item_id": item["id"], "output_index": 0,
                  "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}})
        for i in range(0, len(text), step):
            yield ev({"type": "response.output_text.delta", "item_id": item["id"], "output_index": 0,
                      "content_index": 0, "delta": text[i:i + step]})
        yield ev({"type": "response.output_text.done", "item_id": item["id"], "output_index": 0,
                  "content_index": 0, "text": text})
        yield ev({"type": "response.content_part.done", "item_id": item["id"], "output_index": 0,
                  "content_index": 0, "part": item["content"][0]})
    elif item["type"] == "tool_search_call":
        yield ev({"type": "response.output_item.added", "output_index": 0,
                  "item": dict(item, status="in_progress")})
    else:
        args = item["arguments"]
        added = dict(item, status="in_progress", arguments="")
        yield ev({"type": "response.output_item.added", "output_index": 0, "item": added})
        for i in range(0, len(args), step):
            yield ev({"type": "response.function_call_arguments.delta", "item_id": item["id"],
                      "output_index": 0, "delta": args[i:i + step]})
        yield ev({"type": "response.function_call_arguments.done", "item_id": item["id"],
                  "output_index": 0, "arguments": args})
    yield ev({"type": "response.output_item.done", "output_index": 0, "item": item})
    yield ev({"type": "response.completed",
              "response": response_obj(resp_id, model, "completed", [item], req_body)})


# --------------------------------------------------------------------------- request bodies

def decode_body(body: bytes, encoding: str) -> bytes:
    enc = (encoding or "").strip().lower()
    if not enc or enc == "identity":
        return body
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    if enc == "zstd":
        try:  # not stdlib before 3.14; try the module, then the CLI
            from compression import zstd  # type: ignore
            return zstd.decompress(body)
        except Exception:
            pass
        try:
            import zstandard  # type: ignore
            return zstandard.ZstdDecompressor().decompressobj().decompress(body)
        except Exception:
            pass
        try:
            return subprocess.run(["zstd", "-dc"], input=body, capture_output=True, check=True).stdout
        except Exception:
            pass
    return body


# --------------------------------------------------------------------------- HTTP

class Handler(FakeHandler):
    server_version = "fake-openai/1"
    request_id_header = "x-request-id"
    id_hex_len = ID_HEX_LEN
    log = LOG

    def read_body(self) -> bytes:
        return decode_body(super().read_body(), self.headers.get("Content-Encoding", ""))

    def handle_get(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        LOG.record({"ts": now(), "method": "GET", "path": self.path, "kind": "other",
                    "headers": {k: v for k, v in self.headers.items()
                                if k.lower() not in ("authorization",)}})
        if path in ("/v1/models", "/models"):
            return self.send_json(200, {"object": "list", "data": [self._model(m) for m in ARGS.models],
                                        "models": []})
        if path.startswith("/v1/models/") or path.startswith("/models/"):
            return self.send_json(200, self._model(path.rsplit("/", 1)[-1]))
        return self.send_json(200, {})

    @staticmethod
    def _model(mid: str) -> dict:
        return {"id": mid, "object": "model", "created": 1700000000, "owned_by": "fake"}

    def do_POST(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        body = self.read_body()
        try:
            req = json.loads(body or b"{}")
        except Exception:
            req = {}
        if path.endswith("/responses/compact"):
            LOG.record({"ts": now(), "method": "POST", "path": self.path, "kind": "compact",
                        "model": req.get("model")})
            LOG.dump("compact", body)
            return self.send_json(200, {"output": []})
        if path not in ("/v1/responses", "/responses"):
            LOG.record({"ts": now(), "method": "POST", "path": self.path, "kind": "other",
                        "bytes": len(body)})
            LOG.dump("other", body)
            return self.send_json(200, {"ok": True})

        info = analyse(req)
        action = decide(info)
        items = [i for i in (req.get("input") or []) if isinstance(i, dict)]
        entry = {k: v for k, v in info.items() if not k.startswith("_")}
        entry.update({
            "ts": now(), "method": "POST", "path": self.path, "model": req.get("model"),
            "stream": bool(req.get("stream")), "tool_choice": req.get("tool_choice"),
            "parallel_tool_calls": req.get("parallel_tool_calls"),
            "content_encoding": self.headers.get("Content-Encoding"),
            "authorization": bool(self.headers.get("Authorization")),
            "user_agent": self.headers.get("User-Agent"),
            "last": summarize(items[-1] if items else None),
            "step": action.get("step"),
            "reply": (action.get("text") if action["kind"] == "text"
                      else f"tool_search {json.dumps(action['args'])}" if action["kind"] == "tool_search"
                      else f"{namespace_name()}.{ARGS.tool} {json.dumps(action['args'])}"),
        })
        if info["kind"] == "side":
            entry["instructions"] = (req.get("instructions") or "")[:200]
        LOG.record(entry)
        LOG.dump(info["kind"], body)

        if ARGS.delay:
            time.sleep(ARGS.delay)
        model = req.get("model") or ARGS.models[0]
        if not req.get("stream"):
            item = output_item(action)
            return self.send_json(200, response_obj(new_id("resp"), model, "completed", [item], body))

        self.send_sse(sse_events(model, action, body), ARGS.event_delay)


# --------------------------------------------------------------------------- main

def main() -> None:
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", default=SERVER, help="MCP server name as configured in Codex")
    p.add_argument("--tool", default=TOOL, help="MCP tool name")
    p.add_argument("--turns", type=int, default=3, help="converse turns before the goodbye")
    p.add_argument("--first-message", default="Hello from Codex. Turn 1?")
    p.add_argument("--goodbye", default="Goodbye! Thanks for talking with me.")
    p.add_argument("--final-text", default="Conversation finished after {turns} turns.")
    p.add_argument("--side-text", default="Voice chat", help="answer to requests without tools")
    p.add_argument("--tool-search-query", default="voice-hub converse",
                   help="query of the tool_search call made when converse is deferred")
    p.add_argument("--no-tool-search", action="store_true",
                   help="never call tool_search (answer 'not available' if converse is deferred)")
    p.add_argument("--models", nargs="+", default=["gpt-5.5", "voice-fake"],
                   help="ids listed by GET /v1/models")
    p.add_argument("--chunk", type=int, default=24, help="characters per delta event")
    p.add_argument("--delay", type=float, default=0.0, help="seconds before answering /v1/responses")
    p.add_argument("--event-delay", type=float, default=0.0, help="seconds between SSE events")
    add_common_arguments(p)
    ARGS = p.parse_args()
    serve(ARGS, Handler)


if __name__ == "__main__":
    main()
