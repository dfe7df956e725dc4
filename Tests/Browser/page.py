"""The ClawMux page as the tests see it: the `window.clawmux` hooks and the DOM selectors of
/work/notes/ui-contract.md (a copy of the contract's names lives only here)."""

import json
import os
import re
import select
import sys
import time


class Failure(Exception):
    """A browser-side fact did not hold; the message says which."""


def words(text):
    return re.findall(r"[a-z0-9]+", (text or "").lower())


def overlap(expected, heard):
    """Share (0..1) of the expected words that were heard (same rule as Support/Fuzzy.swift)."""
    want, got = words(expected), set(words(heard))
    return sum(w in got for w in want) / len(want) if want else 0.0


# Installed before the page's own scripts: counts the times #thinking turned visible, however
# briefly (a poll every 100 ms would miss it when the agent answers at once).
THINKING_OBSERVER = """
window.__clawmuxThinkingShown = 0;
window.__clawmuxStartingShown = 0;
(() => {
  let was = false, wasStarting = false;
  new MutationObserver(() => {
    const el = document.getElementById('thinking');
    const now = !!el && !el.hidden && getComputedStyle(el).display !== 'none';
    if (now && !was) window.__clawmuxThinkingShown++;
    was = now;
    // New Session's "Starting…" may last only milliseconds when the agent starts fast.
    const button = document.getElementById('new-session');
    const starting = !!button && button.disabled && button.textContent.includes('Starting');
    if (starting && !wasStarting) window.__clawmuxStartingShown++;
    wasStarting = starting;
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeFilter: ['hidden', 'class', 'style', 'disabled']});
})();
"""


class Page:
    """Polls the page's append-only `window.clawmux.log` and reads its state and DOM."""

    def __init__(self, page, shots_dir, scale=1.0):
        self.page = page
        self.shots_dir = shots_dir
        self.scale = scale
        self.entries = []
        self.shots = []

    # ---------- the log ----------

    def poll(self):
        new = self.page.evaluate(
            "n => { const c = window.clawmux; return c && Array.isArray(c.log) ? c.log.slice(n) : null; }",
            len(self.entries))
        if new is None:
            raise Failure("window.clawmux.log is missing (contract: test hooks)")
        self.entries.extend(new)
        return self.entries

    def matching(self, kind, session=None, after=-1, where=None):
        """(index, entry) of every log entry of this type (and session) after index `after`."""
        return [(i, e) for i, e in enumerate(self.entries)
                if i > after and e.get("type") == kind
                and (session is None or e.get("session") == session)
                and (where is None or where(e))]

    def wait_event(self, kind, session=None, after=-1, timeout=30, where=None, what=None):
        """Waits for the first matching entry after `after`; returns (index, entry)."""
        def check():
            self.poll()
            return next(iter(self.matching(kind, session, after, where)), None)
        return self.wait_until(check, timeout, what or f"log entry {kind!r}" + (f" for {session}" if session else ""))

    def last_index(self):
        self.poll()
        return len(self.entries) - 1

    # ---------- waiting ----------

    def wait_until(self, check, timeout, what):
        """Polls `check` (truthy result ends the wait) every 100 ms; timeouts scale with --timeout-scale."""
        deadline = time.monotonic() + timeout * self.scale
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                # `what` may be a function: it then describes the page as it is now, at the timeout.
                raise Failure(f"timed out after {timeout * self.scale:.0f}s waiting for {what() if callable(what) else what}")
            self.page.wait_for_timeout(100)

    # ---------- state and DOM ----------

    def state(self):
        return self.page.evaluate("() => JSON.parse(JSON.stringify(window.clawmux.state))")

    def session(self, session_id):
        return (self.state().get("sessions") or {}).get(session_id) or {}

    def bubbles(self, role):
        return self.page.eval_on_selector_all(
            f"#transcript .entry.{role} .bubble", "els => els.map(e => e.textContent.trim())")

    def wait_bubble(self, role, check, timeout, what):
        """Waits for a transcript bubble of `role` whose text passes `check`; returns its text."""
        return self.wait_until(lambda: next((b for b in self.bubbles(role) if check(b)), None), timeout, what)

    def tab(self, session_id):
        return self.page.locator(f'#tabs .tab[data-session-id="{session_id}"]')

    def classes(self, selector):
        return (self.page.get_attribute(selector, "class") or "").split()

    def mic_state(self):
        return [c for c in self.classes("#mic") if c in ("idle", "listening", "playing", "recording", "busy")]

    def wait_mic(self, wanted, timeout=10):
        self.wait_until(lambda: wanted in self.mic_state(), timeout, lambda: f"#mic.{wanted} (now {self.mic_state()})")

    def conn(self):
        return self.page.get_attribute("#conn", "data-state")

    def wait_conn(self, wanted, timeout):
        self.wait_until(lambda: self.conn() == wanted, timeout, lambda: f'#conn[data-state="{wanted}"] (now {self.conn()!r})')

    def thinking_shown(self):
        return self.page.evaluate("() => window.__clawmuxThinkingShown || 0")

    def visible(self, selector):
        return self.page.locator(selector).first.is_visible()

    # ---------- artifacts ----------

    def shot(self, name):
        """A numbered screenshot for a person to look at."""
        path = os.path.join(self.shots_dir, f"{len(self.shots) + 1:02d}-{name}.png")
        self.page.screenshot(path=path)
        self.shots.append(path)
        return path


def sync(name, timeout=180, **data):
    """Tells the test (stdout) that the scenario reached `name` and waits for its reply (one JSON
    line on stdin): the test acts on the hub (REST call, kill, restart) between the two."""
    print(json.dumps({"sync": name, **data}), flush=True)
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    line = sys.stdin.readline() if ready else ""
    if not line:
        raise Failure(f"no reply from the test to sync point {name!r} within {timeout}s")
    reply = json.loads(line)
    if reply.get("error"):
        raise Failure(f"the test could not do {name!r}: {reply['error']}")
    return reply
