#!/usr/bin/env python3
"""Scripted fake Anthropic Messages API for driving the real Claude Code CLI offline.

Stdlib only. Listens on 127.0.0.1 (port 0 = any free port by default) and
prints the chosen port as the FIRST line of stdout (and/or writes it to
--port-file). Point Claude Code at it with

    ANTHROPIC_BASE_URL=http://127.0.0.1:$PORT ANTHROPIC_API_KEY=sk-ant-dummy-... claude ...

Endpoints
  POST /v1/messages               stream:true -> SSE, otherwise a JSON message
  POST /v1/messages/count_tokens  {"input_tokens": n}
  GET  /v1/models[/<id>]          a small model list / model object
  GET  /__log                     the request log (JSON list) - handy for tests
  anything else                   200 {} (GET/HEAD) / 200 {"ok": true} (POST)

The script (main conversation only)
  A request is "main" when its `tools` include ToolSearch or an
  mcp__voice-hub__* tool. Everything else is a side request (Claude Code's
  session-title request etc.): it gets a short plain text (--side-text), or,
  when it asks for output_config.format json_schema, a small JSON object that
  fits the schema (the title request wants {"title": ...}).
  The step is derived from the request's messages (stateless): converse
  results are counted after the last typed prompt (a user message with no
  tool_result and not only <system-reminder> text), so every new prompt typed
  into Claude Code starts the script again:

    0. converse not loaded (not in `tools`, no tool_reference from an earlier
       ToolSearch) and ToolSearch offered -> tool_use ToolSearch
       {"query": "select:mcp__voice-hub__converse"}; repeated while Claude Code
       answers "No matching deferred tools found. Some MCP servers are still
       connecting: voice-hub" (at most --tool-search-tries, default 3; then
       converse is called anyway)
    1. n converse results so far, n < turns -> tool_use mcp__voice-hub__converse
              n == 0: {"message": "Hello from Claude. Turn 1?"}
              else  : {"message": "You said: <last result>. Turn n+1?"}
       (with --bash-first CMD: before the first converse, tool_use Bash {"command": CMD},
        --bash-times times)
    2. n == turns -> converse {"message": "Goodbye! ...", "wait_for_response": false}
    3. n > turns  -> end_turn text "Conversation finished after N turns."
  Failures end the turn with a text instead: a converse tool_result with
  is_error ("converse failed: ..."), a converse call that Claude Code moved to
  the background ("converse was backgrounded: ..."; happens after 120 s unless
  CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS=0), or converse neither listed nor
  connecting ("voice-hub converse tool is not available.").

Logging: one JSON object per request to --log (JSON lines), also served at
GET /__log, and a one-line summary to stderr (unless --quiet). Fields:
  seq, ts, method, path, kind (main/side/count_tokens/other), model, stream,
  max_tokens, n_messages, tools (names), mcp_tools, mcp_converse_offered,
  mcp_converse_deferred, tool_search_offered,
  converse_listed       converse named in the deferred-tool listing (a system
                        text) or offered in `tools`
  connecting_servers    servers under "The following MCP servers are still
                        connecting"; voice_hub_connecting = "voice-hub" in it
  converse_loaded, tool_searches, last_tool_search_result, converse_results,
  step (tool_search_N / converse_N / goodbye / done / side / side_json / ...),
  headers (user-agent, anthropic-beta, anthropic-version, x-api-key-tail),
  last (summary of the last message), reply (summary of our answer).
  A test that wants voice-hub ready at the first turn asserts, on the first
  kind=main entry: converse_listed and not voice_hub_connecting.
--dump-dir saves every request body as NNN-<kind>.json.

Lifetime: exits when its parent process dies (polled; disable with
--no-parent-watch) or --watch-pid is gone, after --max-seconds (default 900),
or on SIGTERM/SIGINT. The log, the command-line options shared with the other
fake servers and the serving live in fake_server_common.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

# fake_server_common.py is a sibling: find it even under -P, and leave no __pycache__ here
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from fake_server_common import FakeHandler, RequestLog, add_common_arguments, new_id, now, serve  # noqa: E402

CONVERSE = "mcp__voice-hub__converse"
TOOL_SEARCH = "ToolSearch"
SERVER_PREFIX = "mcp__voice-hub__"
BACKGROUNDED = 'MCP tool "voice-hub/converse" is still running after'

ARGS: argparse.Namespace
LOG = RequestLog("fake-anthropic")


# --------------------------------------------------------------------------- helpers

def block_text(content) -> str:
    """Flatten a message content / tool_result content into plain text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    out = []
    for b in content:
        if not isinstance(b, dict):
            out.append(str(b))
            continue
        t = b.get("type")
        if t == "text":
            out.append(b.get("text", ""))
        elif t == "tool_result":
            out.append(block_text(b.get("content")))
        elif t == "tool_use":
            out.append(f"[tool_use {b.get('name')} {json.dumps(b.get('input'))}]")
        elif t == "tool_reference":
            out.append(f"[tool_reference {b.get('tool_name') or b.get('name')}]")
        else:
            out.append(f"[{t}]")
    return "\n".join(x for x in out if x)


def system_text(req: dict) -> str:
    s = req.get("system")
    if isinstance(s, list):
        return "\n".join(b.get("text", "") for b in s if isinstance(b, dict))
    return s or ""


def tool_names(req: dict) -> list[str]:
    names = []
    for t in req.get("tools", []) or []:
        if isinstance(t, dict):
            names.append(t.get("name") or t.get("type") or "?")
    return names


def tool_offered(req: dict, name: str) -> dict | None:
    for t in req.get("tools", []) or []:
        if isinstance(t, dict) and t.get("name") == name:
            return t
    return None


def is_prompt(msg: dict) -> bool:
    """A user message that is not (only) carrying tool results."""
    if msg.get("role") != "user":
        return False
    c = msg.get("content")
    if isinstance(c, str):
        return not c.lstrip().startswith("<system-reminder>")
    blocks = [b for b in c or [] if isinstance(b, dict)]
    if any(b.get("type") == "tool_result" for b in blocks):
        return False
    # Claude Code prepends <system-reminder> text blocks; only a real typed prompt counts.
    return any(b.get("type") == "text" and not b.get("text", "").lstrip().startswith("<system-reminder>")
               for b in blocks) or not blocks


def summarize(msg: dict | None, limit: int = 160) -> str:
    if not msg:
        return ""
    txt = block_text(msg.get("content")).replace("\n", " ")
    if len(txt) > limit:
        txt = txt[: limit - 3] + "..."
    return f"{msg.get('role')}: {txt}"


# --------------------------------------------------------------------------- script

def context_text(req: dict) -> str:
    """System prompt plus the text blocks of user/system messages (no tool_use, no tool_result)."""
    parts = [system_text(req)]
    for m in req.get("messages", []) or []:
        if m.get("role") == "assistant":
            continue
        c = m.get("content")
        if isinstance(c, str):
            parts.append(c)
            continue
        for b in c or []:
            if isinstance(b, dict) and b.get("type") == "text":
                parts.append(b.get("text", ""))
    return "\n".join(parts)


def connecting_servers(text: str) -> list[str]:
    """Servers named in Claude Code's 'The following MCP servers are still connecting' listing."""
    out: list[str] = []
    for chunk in text.split("MCP servers are still connecting")[1:]:
        lines = chunk.split("\n")[1:]
        for ln in lines:
            if not ln.strip():
                break
            out.append(ln.strip())
    return out


def analyse(req: dict) -> dict:
    msgs = req.get("messages", []) or []
    names = tool_names(req)
    converse_def = tool_offered(req, CONVERSE)
    ctx = context_text(req)
    connecting = connecting_servers(ctx)
    info = {
        "tools": names,
        "mcp_tools": [n for n in names if n.startswith(SERVER_PREFIX)],
        "mcp_converse_offered": converse_def is not None,
        "mcp_converse_deferred": bool(converse_def and converse_def.get("defer_loading")),
        "tool_search_offered": TOOL_SEARCH in names,
        # converse named in the deferred-tool listing (system text) or offered as a tool
        "converse_listed": CONVERSE in ctx or converse_def is not None,
        "connecting_servers": connecting,
        "voice_hub_connecting": "voice-hub" in connecting,
    }
    is_main = info["tool_search_offered"] or bool(info["mcp_tools"])
    info["kind"] = "main" if is_main else "side"

    # id -> (name, input) for every tool_use in the conversation
    uses: dict[str, str] = {}
    for m in msgs:
        if m.get("role") == "assistant" and isinstance(m.get("content"), list):
            for b in m["content"]:
                if isinstance(b, dict) and b.get("type") == "tool_use":
                    uses[b.get("id")] = b.get("name")

    # segment = messages after the last user prompt
    start = 0
    for i, m in enumerate(msgs):
        if is_prompt(m):
            start = i
    if msgs and is_prompt(msgs[start]):
        # The typed prompt this turn answers (what a user or the hub typed), reminders left out.
        c = msgs[start].get("content")
        texts = [c] if isinstance(c, str) else [b.get("text", "") for b in c or []
                                                if isinstance(b, dict) and b.get("type") == "text"]
        info["last_prompt"] = "\n".join(t for t in texts if not t.lstrip().startswith("<system-reminder>"))[:2000]
    converse_results: list[tuple[str, bool]] = []
    bash_results = 0
    searches = 0
    loaded = converse_def is not None
    last_search = None
    for i, m in enumerate(msgs):
        if m.get("role") != "user" or not isinstance(m.get("content"), list):
            continue
        for b in m["content"]:
            if not (isinstance(b, dict) and b.get("type") == "tool_result"):
                continue
            name = uses.get(b.get("tool_use_id"))
            if name == TOOL_SEARCH:
                searches += 1
                c = b.get("content")
                refs = [x for x in (c if isinstance(c, list) else [])
                        if isinstance(x, dict) and x.get("type") == "tool_reference"
                        and (x.get("tool_name") or x.get("name")) == CONVERSE]
                if refs:
                    loaded = True
                last_search = block_text(c).strip()
            elif name == CONVERSE and i >= start:
                converse_results.append((block_text(b.get("content")).strip(), bool(b.get("is_error"))))
            elif name == "Bash" and i >= start:
                bash_results += 1
                # What the model was told about its command (output, or a denial).
                info["last_bash_result"] = block_text(b.get("content")).strip()[:300]
                info["last_bash_error"] = bool(b.get("is_error"))
    info["converse_results"] = len(converse_results)
    info["_converse_results"] = converse_results
    info["bash_results"] = bash_results
    info["tool_searches"] = searches
    info["converse_loaded"] = loaded
    if last_search is not None:
        info["last_tool_search_result"] = last_search[:200]
    return info


def json_schema_of(req: dict) -> dict | None:
    """output_config.format / output_format of type json_schema, if the request asks for one."""
    for fmt in ((req.get("output_config") or {}).get("format"), req.get("output_format")):
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            return fmt.get("schema") or {}
    return None


def sample_for(schema: dict, depth: int = 0):
    """A small value that satisfies a (simple) JSON schema."""
    if not isinstance(schema, dict) or depth > 6:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return sample_for(schema[key][0], depth + 1)
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "null")
    if t == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {k: sample_for(v, depth + 1) for k, v in props.items()
                if k in (schema.get("required") or props.keys())}
    if t == "array":
        return []
    if t in ("integer", "number"):
        return schema.get("minimum", 0)
    if t == "boolean":
        return False
    if t == "null":
        return None
    return ARGS.side_text


def decide(req: dict, info: dict) -> dict:
    """Return {"kind": "text", "text": ...} or {"kind": "tool_use", "name":..., "input":...}."""
    if info["kind"] != "main":
        schema = json_schema_of(req)
        if schema is not None:  # e.g. the session-title request wants {"title": ...}
            return {"kind": "text", "text": json.dumps(sample_for(schema)), "step": "side_json"}
        return {"kind": "text", "text": ARGS.side_text, "step": "side"}

    if ARGS.text_reply and ARGS.text_reply_marker in (info.get("last_prompt") or ""):
        # A prompt that asks for a plain answer: no converse, the turn ends with text.
        return {"kind": "text", "text": ARGS.text_reply.replace("\\n", "\n"), "step": "text_reply"}
    turns = ARGS.turns
    results = info["_converse_results"]
    n = len(results)
    if n == 0 and not info["converse_loaded"] and info["tool_search_offered"] \
            and not ARGS.no_tool_search and info["tool_searches"] < ARGS.tool_search_tries:
        # Like a real model: (re)try ToolSearch while the server is still connecting.
        return {"kind": "tool_use", "name": TOOL_SEARCH,
                "input": {"query": f"select:{CONVERSE}"},
                "step": f"tool_search_{info['tool_searches'] + 1}"}
    if n == 0 and not info["converse_loaded"] and not info["converse_listed"] \
            and not info["voice_hub_connecting"]:
        return {"kind": "text", "text": ARGS.no_tool_text, "step": "no_tool"}
    if results and results[-1][1]:
        return {"kind": "text", "text": f"converse failed: {results[-1][0][:300]}", "step": "converse_error"}
    if results and results[-1][0].startswith(BACKGROUNDED):
        # Claude Code auto-backgrounded a slow converse call (default after 120 s;
        # CLAUDE_CODE_MCP_AUTO_BACKGROUND_MS=0 turns that off). Stop loudly.
        return {"kind": "text", "text": f"converse was backgrounded: {results[-1][0][:200]}",
                "step": "converse_backgrounded"}
    if ARGS.bash_first and n == 0 and info["bash_results"] < ARGS.bash_times:
        # Work before talking (--bash-first): the hub's activity shows the tool while it runs.
        return {"kind": "tool_use", "name": "Bash",
                "input": {"command": ARGS.bash_first, "description": "Run the check"}, "step": "bash"}
    if n < turns:
        if n == 0:
            msg = ARGS.first_message
        else:
            last = results[-1][0]
            if len(last) > 500:
                last = last[:500]
            msg = f"You said: {last}. Turn {n + 1}?"
        return {"kind": "tool_use", "name": CONVERSE, "input": {"message": msg},
                "step": f"converse_{n + 1}"}
    if n == turns:
        return {"kind": "tool_use", "name": CONVERSE,
                "input": {"message": ARGS.goodbye, "wait_for_response": False},
                "step": "goodbye"}
    return {"kind": "text", "text": ARGS.final_text.format(turns=turns), "step": "done"}


# --------------------------------------------------------------------------- wire format

def usage(req_body: bytes, out_tokens: int = 8) -> dict:
    return {"input_tokens": max(1, len(req_body) // 4), "output_tokens": out_tokens,
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}


def message_json(model: str, action: dict, req_body: bytes) -> dict:
    msg = {"id": new_id("msg"), "type": "message", "role": "assistant", "model": model,
           "content": [], "stop_reason": None, "stop_sequence": None,
           "usage": usage(req_body)}
    if action["kind"] == "text":
        msg["content"] = [{"type": "text", "text": action["text"]}]
        msg["stop_reason"] = "end_turn"
    else:
        msg["content"] = [{"type": "tool_use", "id": new_id("toolu"), "name": action["name"],
                           "input": action["input"]}]
        msg["stop_reason"] = "tool_use"
    return msg


def sse_events(model: str, action: dict, req_body: bytes):
    start = message_json(model, action, req_body)
    content = start["content"]
    stop_reason = start["stop_reason"]
    start["content"] = []
    start["stop_reason"] = None
    start["usage"]["output_tokens"] = 1
    yield "message_start", {"type": "message_start", "message": start}
    for idx, block in enumerate(content):
        if block["type"] == "text":
            yield "content_block_start", {"type": "content_block_start", "index": idx,
                                          "content_block": {"type": "text", "text": ""}}
            text = block["text"]
            step = max(1, ARGS.chunk)
            for i in range(0, len(text), step):
                yield "content_block_delta", {"type": "content_block_delta", "index": idx,
                                              "delta": {"type": "text_delta", "text": text[i:i + step]}}
        else:
            yield "content_block_start", {"type": "content_block_start", "index": idx,
                                          "content_block": {"type": "tool_use", "id": block["id"],
                                                            "name": block["name"], "input": {}}}
            js = json.dumps(block["input"])
            step = max(1, ARGS.chunk)
            for i in range(0, len(js), step):
                yield "content_block_delta", {"type": "content_block_delta", "index": idx,
                                              "delta": {"type": "input_json_delta",
                                                        "partial_json": js[i:i + step]}}
        yield "content_block_stop", {"type": "content_block_stop", "index": idx}
    yield "message_delta", {"type": "message_delta",
                            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                            "usage": {"output_tokens": 8}}
    yield "message_stop", {"type": "message_stop"}


# --------------------------------------------------------------------------- HTTP

class Handler(FakeHandler):
    server_version = "fake-anthropic/1"
    request_id_header = "request-id"
    log = LOG

    def handle_get(self):
        path = self.path.split("?", 1)[0]
        LOG.record({"ts": now(), "method": "GET", "path": self.path, "kind": "other"})
        if path.rstrip("/") == "/v1/models":
            return self.send_json(200, {"data": [self._model(m) for m in
                                                 ("claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5")],
                                        "has_more": False, "first_id": None, "last_id": None})
        if path.startswith("/v1/models/"):
            return self.send_json(200, self._model(path.rsplit("/", 1)[-1]))
        return self.send_json(200, {})

    @staticmethod
    def _model(mid: str) -> dict:
        return {"type": "model", "id": mid, "display_name": mid, "created_at": "2025-01-01T00:00:00Z"}

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        body = self.read_body()
        try:
            req = json.loads(body or b"{}")
        except Exception:
            req = {}
        if path.rstrip("/") == "/v1/messages/count_tokens":
            seq = LOG.record({"ts": now(), "method": "POST", "path": self.path, "kind": "count_tokens",
                              "model": req.get("model"), "tools": tool_names(req)})
            LOG.dump("count_tokens", body, seq)
            return self.send_json(200, {"input_tokens": max(1, len(body) // 4)})
        if path.rstrip("/") != "/v1/messages":
            LOG.record({"ts": now(), "method": "POST", "path": self.path, "kind": "other"})
            return self.send_json(200, {"ok": True})

        info = analyse(req)
        action = decide(req, info)
        msgs = req.get("messages", []) or []
        entry = {k: v for k, v in info.items() if not k.startswith("_")}
        entry.update({
            "ts": now(), "method": "POST", "path": self.path, "model": req.get("model"),
            "stream": bool(req.get("stream")), "max_tokens": req.get("max_tokens"),
            "n_messages": len(msgs), "last": summarize(msgs[-1] if msgs else None),
            "step": action.get("step"),
            "reply": (action.get("text") if action["kind"] == "text"
                      else f"{action['name']} {json.dumps(action['input'])}"),
        })
        key = self.headers.get("x-api-key") or self.headers.get("authorization") or ""
        entry["headers"] = {"user-agent": self.headers.get("user-agent"),
                            "anthropic-beta": self.headers.get("anthropic-beta"),
                            "anthropic-version": self.headers.get("anthropic-version"),
                            "x-api-key-tail": key[-4:] if key else None}
        if info["kind"] == "side":
            entry["system"] = system_text(req)[:200]
        seq = LOG.record(entry)
        LOG.dump(info["kind"], body, seq)

        if ARGS.delay:
            time.sleep(ARGS.delay)
        model = req.get("model") or "claude-sonnet-4-5"
        if not req.get("stream"):
            return self.send_json(200, message_json(model, action, body))

        self.send_sse(sse_events(model, action, body), ARGS.event_delay)


# --------------------------------------------------------------------------- main

def main() -> None:
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--turns", type=int, default=3, help="converse turns before the goodbye")
    p.add_argument("--first-message", default="Hello from Claude. Turn 1?")
    p.add_argument("--bash-first", default="", help="a Bash command the model runs before its first converse")
    p.add_argument("--bash-times", type=int, default=1, help="how many times it runs --bash-first")
    p.add_argument("--text-reply", default="", help="the turn's whole answer (\\n for newlines) to a prompt with --text-reply-marker")
    p.add_argument("--text-reply-marker", default="(reply in text)")
    p.add_argument("--goodbye", default="Goodbye! Thanks for talking with me.")
    p.add_argument("--final-text", default="Conversation finished after {turns} turns.")
    p.add_argument("--side-text", default="Voice chat", help="answer to side requests")
    p.add_argument("--no-tool-search", action="store_true",
                   help="call converse directly even if it is deferred")
    p.add_argument("--tool-search-tries", type=int, default=3,
                   help="ToolSearch attempts while converse is not loaded (server still connecting)")
    p.add_argument("--no-tool-text", default="voice-hub converse tool is not available.")
    p.add_argument("--chunk", type=int, default=24, help="characters per delta event")
    p.add_argument("--delay", type=float, default=0.0, help="seconds before answering /v1/messages")
    p.add_argument("--event-delay", type=float, default=0.0, help="seconds between SSE events")
    add_common_arguments(p)
    ARGS = p.parse_args()
    serve(ARGS, Handler)


if __name__ == "__main__":
    main()
