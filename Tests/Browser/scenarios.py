"""The scenarios of issue 5, each a function (ui, args) -> facts for the Swift test to check.
Each asserts what the browser shows; the hub-side facts (transcripts, backends) are the Swift
test's. Timeouts are generous: real engines share two cores with the browser."""

import array
import wave

from page import Failure, overlap, sync

# First speech of a session: the agent starts, Piper loads its model.
FIRST_SPEECH = 120
# Whisper's first request loads the model; the agent's answer needs TTS too.
ANSWER = 90


def open_page(ui, args):
    """Opens the page with the token (the hub sets its cookie) and waits until it is connected."""
    ui.page.goto(f"{args.url}/?token={args.token}", wait_until="load")
    ui.wait_until(lambda: ui.page.evaluate("() => !!window.clawmux"), 15, "window.clawmux")
    ui.wait_conn("connected", 20)
    _, hello = ui.wait_event("hello", timeout=10)
    missing = {"audio_stream", "transcript"} - set(hello.get("capabilities") or [])
    if missing:
        raise Failure(f"hello does not announce {sorted(missing)}: {hello}")


def open_and_start(ui, shot=True):
    """New Session opens its dialog (agent, folder, voice, and the trust note); Start with its defaults."""
    ui.page.click("#new-session")
    ui.page.wait_for_selector("#new-session-dialog[open]", timeout=5000)
    agents = ui.page.eval_on_selector_all("#ns-agent option", "os => os.map(o => o.value)")
    if "demo" not in agents:
        raise Failure(f"the agent list lacks the demo agent: {agents}")
    if shot:
        ui.shot("new-session-dialog")
    ui.page.click("#new-session-start")


def new_session(ui, shot=True):
    """Clicks New Session; returns the new session's id once the page has selected it."""
    before = set((ui.state().get("sessions") or {}).keys())
    shown = ui.page.evaluate("window.__clawmuxStartingShown")
    open_and_start(ui, shot)
    button = ui.page.locator("#new-session")
    if shot and button.is_disabled():
        ui.shot("new-session-starting")
    ui.wait_until(lambda: ui.page.evaluate("window.__clawmuxStartingShown") > shown, 5,
                  '#new-session disabled with "Starting…" (at least once)')

    def selected_new():
        state = ui.state()
        fresh = set((state.get("sessions") or {}).keys()) - before
        return state.get("selected") if state.get("selected") in fresh else None
    session = ui.wait_until(selected_new, FIRST_SPEECH, "the new session, selected")
    ui.wait_until(lambda: "selected" in ui.classes(f'#tabs .tab[data-session-id="{session}"]'), 10,
                  "its tab, .selected")
    return session


def answer(ui, session, after, expected):
    """The fake mic speaks once recording starts: VAD ends it, the page sends it, the user's
    words show as a bubble. Returns (index after which the agent answers, the bubble's text)."""
    start, _ = ui.wait_event("record-start", session, after, timeout=30)
    stop, entry = ui.wait_event("record-stop", session, start, timeout=40)
    if entry.get("reason") != "vad":
        raise Failure(f"recording stopped by {entry.get('reason')!r}, expected 'vad': {entry}")
    sent, entry = ui.wait_event("recording-sent", session, stop, timeout=10)
    if not entry.get("bytes"):
        raise Failure(f"an empty recording was sent: {entry}")
    heard = ui.wait_bubble("user", lambda text: overlap(expected, text) >= 0.7, ANSWER,
                           lambda: f"a user bubble like {expected!r} (have {ui.bubbles('user')})")
    return sent, heard


def agent_echo(ui, expected):
    """The demo agent repeats what it heard: "You said: …"."""
    return ui.wait_bubble("agent", lambda text: text.startswith("You said") and overlap(expected, text) >= 0.7,
                          ANSWER, lambda: f"an agent bubble 'You said: {expected}' (have {ui.bubbles('agent')})")


def played(ui, session, after, timeout=FIRST_SPEECH):
    """One turn's audio played to its end in the front tab; returns (start index, end index, start entry)."""
    start, entry = ui.wait_event("play-start", session, after, timeout=timeout)
    end, done = ui.wait_event("play-end", session, start, timeout=90)
    if done.get("interrupted"):
        raise Failure(f"playback was interrupted, nobody barged in: {done}")
    return start, end, entry


def end_to_end(ui, args):
    """(a) New Session → the agent speaks → Auto records → VAD stops → the agent hears it."""
    open_page(ui, args)
    a = new_session(ui)
    start, _ = ui.wait_event("play-start", a, timeout=FIRST_SPEECH)
    ui.wait_mic("playing")
    ui.shot("agent-speaking")
    end, done = ui.wait_event("play-end", a, start, timeout=90)
    if done.get("interrupted"):
        raise Failure(f"the greeting was interrupted: {done}")
    ui.wait_event("playback-done-sent", a, start, timeout=10)
    ui.wait_event("record-start", a, end, timeout=30)
    ui.wait_mic("recording")
    ui.shot("recording")
    shown = ui.thinking_shown()
    sent, heard = answer(ui, a, end, args.expect)
    said = agent_echo(ui, args.expect)
    # Between the answer and the agent's next words the page shows that the agent thinks (the demo
    # agent answers within milliseconds, so a DOM observer counts it, not polling).
    if ui.thinking_shown() <= shown:
        raise Failure("#thinking was never visible between the answer and the agent's words")
    roles = {entry.get("role") for entry in ui.session(a).get("transcript") or []}
    if not {"user", "agent"} <= roles:
        raise Failure(f"state.sessions[{a}].transcript lacks a side: roles {roles}")
    ui.shot("transcript-both-sides")
    facts = {"session": a, "user_text": heard, "agent_text": said}
    facts.update(phone(ui))
    return facts


def phone(ui):
    """A phone-size viewport: screenshot, and whether the page fits its width."""
    ui.page.set_viewport_size({"width": 390, "height": 844})
    ui.page.wait_for_timeout(500)
    ui.shot("phone-390x844")
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    offscreen = ui.page.evaluate("""() => ['#new-session', '#mic', '#mute', '#mode'].filter(sel => {
        const r = document.querySelector(sel)?.getBoundingClientRect();
        return !r || r.width === 0 || r.left < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight;
    })""")
    return {"phone_overflow_px": overflow, "phone_offscreen": offscreen}


def mute(ui, args):
    """(b) Muted before New Session: the page answers with an empty recording, the agent gets
    "(session muted)" and says so."""
    open_page(ui, args)
    ui.page.click("#mute")
    ui.wait_until(lambda: ui.page.get_attribute("#mute", "aria-pressed") == "true", 5, '#mute[aria-pressed="true"]')
    if not ui.state().get("muted"):
        raise Failure("state.muted is not true after clicking #mute")
    a = new_session(ui, shot=False)
    _, end, _ = played(ui, a, -1)
    ui.wait_event("muted-answer", a, end, timeout=30)
    said = ui.wait_bubble("agent", lambda text: text.startswith("You're muted"), ANSWER,
                          lambda: f"the agent's 'You're muted' (have {ui.bubbles('agent')})")
    ui.shot("muted")
    ui.poll()
    recorded = [e for _, e in ui.matching("recording-sent", a) if e.get("bytes")]
    if recorded or ui.matching("record-start", a):
        raise Failure(f"the muted page opened the mic or sent audio: {recorded}")
    return {"session": a, "agent_text": said}


def barge_in(ui, args):
    """(c) Tapping the mic while the agent speaks stops playback, sends `interrupt` and records."""
    open_page(ui, args)
    a = new_session(ui, shot=False)
    start, _ = ui.wait_event("play-start", a, timeout=FIRST_SPEECH)
    ui.page.wait_for_timeout(1500)
    ui.poll()
    if ui.matching("play-end", a, start):
        raise Failure("the greeting ended before the barge-in tap (make it longer)")
    ui.shot("agent-speaking")
    tap = ui.last_index()
    ui.page.click("#mic")
    ui.wait_event("interrupt-sent", a, tap, timeout=5)
    _, end = ui.wait_event("play-end", a, tap, timeout=5)
    if not end.get("interrupted"):
        raise Failure(f"play-end after the tap is not marked interrupted: {end}")
    ui.wait_event("record-start", a, tap, timeout=10)
    if ui.matching("play-start", a, tap):
        raise Failure("the rest of the greeting played after the barge-in")
    ui.shot("recording-after-barge-in")
    _, heard = answer(ui, a, tap, args.expect)
    said = agent_echo(ui, args.expect)
    return {"session": a, "user_text": heard, "agent_text": said}


def background(ui, args):
    """(d) A second session made over REST stays in the background: its greeting is buffered and
    its tab flagged; selecting it plays the greeting, then the page listens to it."""
    open_page(ui, args)
    a = new_session(ui, shot=False)
    _, end, _ = played(ui, a, -1)
    answer(ui, a, end, args.expect)
    b = sync("create-session")["session"]
    ui.wait_until(lambda: ui.tab(b).count() == 1, 30, f"a tab for {b}")
    ui.wait_event("buffered", b, timeout=FIRST_SPEECH)
    ui.wait_until(lambda: "unread" in ui.classes(f'#tabs .tab[data-session-id="{b}"]'), 10, f"tab {b} .unread")
    ui.wait_until(lambda: ui.tab(b).locator(".badge").is_visible(), 5, f"tab {b}'s .badge visible")
    if ui.state().get("selected") != a or "selected" in ui.classes(f'#tabs .tab[data-session-id="{b}"]'):
        raise Failure(f"the REST session took the front: selected {ui.state().get('selected')}")
    if ui.matching("play-start", b):
        raise Failure("a background session's audio played")
    ui.shot("two-tabs-badge")
    click = ui.last_index()
    ui.tab(b).locator(".label").click()
    ui.wait_until(lambda: ui.state().get("selected") == b, 5, f"{b} selected after the click")
    _, end, _ = played(ui, b, click, timeout=30)
    _, heard = answer(ui, b, end, args.expect)
    if "unread" in ui.classes(f'#tabs .tab[data-session-id="{b}"]'):
        raise Failure(f"tab {b} still .unread after it was played")
    ui.shot("second-session-answered")
    # Keyboard: 1–9 select tabs (both sessions are quiet now).
    for key, wanted in (("1", a), ("2", b)):
        ui.page.keyboard.press(key)
        ui.wait_until(lambda: ui.state().get("selected") == wanted, 5, f"key {key} selecting {wanted}")
    return {"session": a, "session_b": b, "user_text_b": heard}


def reconnect(ui, args):
    """(e) Manual mode: the greeting plays and the hub waits for a recording; the test kills and
    restarts the hub; the page reconnects, keeps the transcript, and the converse asked again completes."""
    open_page(ui, args)
    ui.page.click("#mode")
    ui.wait_until(lambda: ui.state().get("auto") is False and ui.page.inner_text("#mode-text") == "Manual", 5,
                  '#mode-text "Manual"')
    a = new_session(ui, shot=False)
    _, end, _ = played(ui, a, -1)
    ui.wait_mic("listening", 15)
    if ui.matching("record-start", a):
        raise Failure("manual mode started recording by itself")
    greeting = ui.bubbles("agent")
    sync("kill-hub", session=a)
    closed, _ = ui.wait_event("ws-close", after=end, timeout=15)
    ui.wait_conn("reconnecting", 15)
    ui.shot("reconnecting")
    sync("restart-hub")
    opened, _ = ui.wait_event("ws-open", after=closed, timeout=60)
    ui.wait_conn("connected", 10)
    ui.wait_until(lambda: all(b in ui.bubbles("agent") for b in greeting), 15,
                  lambda: f"the earlier transcript {greeting} (have {ui.bubbles('agent')})")
    ui.shot("reconnected")
    # The agent's bridge reconnects and asks again: the greeting plays again, the page listens.
    _, end, _ = played(ui, a, opened, timeout=90)
    ui.wait_mic("listening", 15)
    tap = ui.last_index()
    ui.page.click("#mic")
    start, _ = ui.wait_event("record-start", a, tap, timeout=10)
    stop, entry = ui.wait_event("record-stop", a, start, timeout=40)
    ui.wait_event("recording-sent", a, stop, timeout=10)
    heard = ui.wait_bubble("user", lambda text: overlap(args.expect, text) >= 0.7, ANSWER,
                           lambda: f"a user bubble like {args.expect!r} (have {ui.bubbles('user')})")
    said = agent_echo(ui, args.expect)
    ui.shot("answered-after-restart")
    return {"session": a, "user_text": heard, "agent_text": said, "stop_reason": entry.get("reason")}


def voice_change(ui, args):
    """(f) Choosing another voice in #voice while the greeting plays: the next turn is spoken by it."""
    open_page(ui, args)
    a = new_session(ui, shot=False)
    start, _ = ui.wait_event("play-start", a, timeout=FIRST_SPEECH)
    before = ui.session(a).get("voice")
    label_before = ui.tab(a).locator(".label").inner_text()
    options = ui.page.eval_on_selector_all("#voice option", "os => os.map(o => o.value)")
    other = next((o for o in options if o and o != before), None)
    if other is None:
        raise Failure(f"#voice offers no other voice than {before!r}: {options}")
    ui.page.select_option("#voice", other)
    ui.wait_until(lambda: ui.session(a).get("voice") == other, 15,
                  lambda: f"state.sessions[{a}].voice == {other!r} (now {ui.session(a).get('voice')!r})")
    # A tab named after the old voice follows the new one (a chosen label stays): give it a moment.
    try:
        ui.wait_until(lambda: ui.tab(a).locator(".label").inner_text() != label_before, 5, "the tab's label to change")
    except Failure:
        pass  # reported as a fact; the test decides
    label_after = ui.tab(a).locator(".label").inner_text()
    end, _ = ui.wait_event("play-end", a, start, timeout=90)
    # The greeting is all made by now: from here on, only the next turn uses a TTS backend.
    sync("voice-changed", session=a, before=before, after=other)
    sent, heard = answer(ui, a, end, args.expect)
    next_start, entry = ui.wait_event("play-start", a, sent, timeout=ANSWER)
    ui.wait_event("play-end", a, next_start, timeout=60)
    ui.shot("after-voice-change")
    return {"session": a, "voice_before": before, "voice_after": other, "label_before": label_before,
            "label_after": label_after, "next_turn_format": entry.get("format"), "user_text": heard}


def smoke(ui, args):
    """Harness check with DOM only: page opens, connects, New Session makes a ready tab."""
    ui.page.goto(f"{args.url}/?token={args.token}", wait_until="load")
    ui.wait_conn("connected", 20)
    before = set(ui.page.eval_on_selector_all("#tabs .tab", "ts => ts.map(t => t.dataset.sessionId)"))
    open_and_start(ui)
    ui.shot("new-session-starting")

    def new_tab():
        ids = set(ui.page.eval_on_selector_all("#tabs .tab", "ts => ts.map(t => t.dataset.sessionId)"))
        return next(iter(ids - before), None)
    session = ui.wait_until(new_tab, FIRST_SPEECH, "a new tab")
    dot = f'#tabs .tab[data-session-id="{session}"] .status-dot'
    ui.wait_until(lambda: {"ready", "active"} & set(ui.classes(dot)), FIRST_SPEECH, "its status dot ready/active")
    ui.page.wait_for_timeout(8000)
    ui.shot("eight-seconds-later")
    return {"session": session}


def hide_page(ui, hidden):
    """Makes the page believe nobody looks at it (document.visibilityState), or undoes that."""
    ui.page.evaluate("""hidden => hidden
        ? Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'})
        : delete document.visibilityState""", hidden)


def tab_activity(ui, session):
    locator = ui.tab(session).locator(".activity")
    return locator.inner_text().strip() if locator.count() and locator.is_visible() else ""


def shell_check(ui):
    """The service worker's shell list (static/sw.js) against what the page loaded: a module the
    list lacks would break the installed app offline. Also how the hub serves the app's files."""
    return ui.page.evaluate("""async () => {
        const loaded = performance.getEntriesByType('resource').map(e => new URL(e.name))
            .filter(u => u.origin === location.origin && /^\\/static\\/.*\\.(js|css)$/.test(u.pathname)).map(u => u.pathname);
        const text = await (await fetch('/static/sw.js')).text();
        const list = [...text.matchAll(/^\\s*'(\\/[^']*)',?$/gm)].map(m => m[1]);
        const status = async (path) => { try { const r = await fetch(path, {cache: 'no-store'});
            return {status: r.status, type: (r.headers.get('content-type') || '').split(';')[0]}; } catch (e) { return {status: 0}; } };
        const broken = [];
        for (const path of list) if (path !== '/' && (await status(path)).status !== 200) broken.push(path);
        const registration = navigator.serviceWorker ? await navigator.serviceWorker.getRegistration('/') : null;
        return {shell: list, missing: [...new Set(loaded)].filter(p => !list.includes(p)), broken,
                sw: await status('/sw.js'), manifest: await status('/manifest.webmanifest'),
                registered: registration ? registration.scope : null,
                secure: window.isSecureContext};
    }""")


def cockpit(ui, args):
    """(g) The cockpit: each tab says what its agent does. A background agent asks for permission
    (the test runs the real hook): its tab gets a badge, the page plays the `permission` cue and,
    hidden, shows a notification; its card in front offers Allow and Deny; Allow goes to the hub,
    and the card is gone once the hub says the request is resolved."""
    ui.page.context.grant_permissions(["notifications"], origin=args.url)
    open_page(ui, args)
    _, hello = ui.wait_event("hello", timeout=10)
    missing = {"activity", "permissions"} - set(hello.get("capabilities") or [])
    if missing:
        raise Failure(f"hello does not announce {sorted(missing)}: {hello}")
    # Manual mode: nothing records; this is about what the page shows.
    ui.page.click("#mode")
    ui.wait_until(lambda: ui.state().get("auto") is False, 5, "Manual mode")
    a = new_session(ui, shot=False)
    ui.wait_event("play-start", a, timeout=FIRST_SPEECH)
    b = sync("create-session")["session"]
    ui.wait_until(lambda: ui.tab(b).count() == 1, 30, f"a tab for {b}")

    # What each agent does, on its tab and (more fully) for the selected one.
    def described():
        return all(ui.session(s).get("activity") and tab_activity(ui, s) for s in (a, b))
    ui.wait_until(described, 30, lambda: f"activity lines on both tabs (have {tab_activity(ui, a)!r}, {tab_activity(ui, b)!r})")
    ui.wait_until(lambda: ui.session(b)["activity"].get("state") != "starting", FIRST_SPEECH,
                  lambda: f"{b} past 'starting' (now {ui.session(b).get('activity')})")
    if not ui.visible("#session-activity"):
        raise Failure("#session-activity (the selected session's activity) is not visible")
    facts = {"session": a, "session_b": b, "activity_a": tab_activity(ui, a), "activity_b": tab_activity(ui, b),
             "activity_selected": ui.page.inner_text("#session-activity").strip()}
    ui.poll()
    facts["question_cue_b"] = bool(ui.matching("cue", where=lambda e: e.get("name") == "question" and e.get("session_id") == b))
    ui.shot("activity-on-tabs")

    # The background agent asks while nobody looks at the page.
    hide_page(ui, True)
    mark = ui.last_index()
    request_id = sync("ask-permission", session=b)["request_id"]
    for_b = lambda e: e.get("session_id") == b  # noqa: E731
    ui.wait_event("permission-request", after=mark, timeout=30, what=f"permission_request {request_id} for {b}",
                  where=lambda e: for_b(e) and e.get("request_id") == request_id)
    ui.wait_event("cue", after=mark, timeout=5, what=f"the 'permission' cue for {b}",
                  where=lambda e: for_b(e) and e.get("name") == "permission")
    _, notified = ui.wait_event("notify", after=mark, timeout=5, what=f"a notification for {b}", where=for_b)
    hide_page(ui, False)
    facts.update(request_id=request_id, notification=notified.get("title"), notification_permission=notified.get("permission"))
    tab = f'#tabs .tab[data-session-id="{b}"]'
    ui.wait_until(lambda: ui.page.get_attribute(tab, "data-attention") == "permission" and ui.visible(tab + " .badge"), 10,
                  lambda: f"{tab}[data-attention=permission] with its badge (now {ui.page.get_attribute(tab, 'data-attention')!r})")
    if ui.state().get("selected") != a:
        raise Failure(f"the permission request took the front: selected {ui.state().get('selected')}")
    if ui.visible("#permissions"):
        raise Failure("a background session's permission card shows in front")
    ui.shot("background-needs-permission")

    # In front: the card, Allow.
    ui.tab(b).locator(".label").click()
    ui.wait_until(lambda: ui.state().get("selected") == b, 5, f"{b} selected")
    card = f'#permissions .permission-card[data-request-id="{request_id}"]'
    ui.wait_until(lambda: ui.visible(card), 10, f"the card {card}")
    for decision in ("allow", "deny"):
        if not ui.visible(f'{card} button[data-decision="{decision}"]'):
            raise Failure(f"the card has no visible {decision} button")
    facts["card_text"] = ui.page.inner_text(f"{card} .permission-text").strip()
    if "npm test" not in facts["card_text"]:
        raise Failure(f"the card does not say what the agent wants to run: {facts['card_text']!r}")
    if ui.page.get_attribute(tab, "data-attention"):
        raise Failure("the selected tab still has its badge")
    ui.shot("permission-card")
    facts.update(phone(ui))
    offscreen = ui.page.evaluate("""card => [...document.querySelectorAll(card + ' button')].filter(b => {
        const r = b.getBoundingClientRect();
        return r.width === 0 || r.left < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight;
    }).map(b => b.dataset.decision)""", card)
    if offscreen:
        raise Failure(f"the card's buttons {offscreen} are off a 390x844 screen")
    clicked = ui.last_index()
    ui.page.click(f'{card} button[data-decision="allow"]')
    _, decided = ui.wait_event("permission-decided", after=clicked, timeout=15, what="the answer to POST .../permissions/{id}",
                               where=lambda e: e.get("request_id") == request_id)
    facts["decision_status"] = decided.get("status")
    if decided.get("status") != 200:
        raise Failure(f"the hub refused the decision: {decided}")
    _, resolved = ui.wait_event("permission-resolved", after=mark, timeout=15, what=f"permission_resolved for {request_id}",
                                where=lambda e: e.get("request_id") == request_id)
    facts["resolved"] = {"decision": resolved.get("decision"), "by": resolved.get("by")}
    ui.wait_until(lambda: not ui.visible(card), 5, "the card gone")
    facts["info_line"] = ui.wait_until(lambda: next((t for t in ui.bubbles("info") if t.startswith("Allowed")), None), 5,
                                       lambda: f"an 'Allowed: …' line (have {ui.bubbles('info')})")
    ui.shot("allowed")
    ui.page.set_viewport_size({"width": 1280, "height": 800})
    shell = shell_check(ui)
    if shell["missing"]:
        raise Failure(f"static/sw.js's shell list lacks files the page loaded: {shell['missing']}")
    if shell["broken"]:
        raise Failure(f"static/sw.js's shell lists files the hub does not serve: {shell['broken']}")
    ui.poll()
    facts.update(sw=shell["sw"], manifest=shell["manifest"], sw_registered=shell["registered"],
                 sw_notes=[e for e in ui.entries if e.get("type") in ("sw-registered", "sw-failed")])
    # Last: it reloads the page (its log starts again).
    facts["offline_start"] = offline_start(ui) if shell["registered"] else None
    return facts


def offline_start(ui):
    """The installed app with no network: the service worker's cache opens the page, which says it
    is reconnecting; with the network back it connects. Returns #conn's state while offline."""
    ui.wait_until(lambda: ui.page.evaluate("() => !!navigator.serviceWorker.controller"), 15,
                  "the service worker in control of the page")
    context = ui.page.context
    context.set_offline(True)
    try:
        ui.page.reload(wait_until="load", timeout=15000)
        ui.wait_until(lambda: ui.page.evaluate("() => !!window.clawmux"), 10, "the page's modules, from the cache")
        ui.wait_until(lambda: ui.conn() in ("reconnecting", "connecting"), 5, "#conn not connected")
        state = ui.conn()
        ui.shot("offline")
    finally:
        context.set_offline(False)
    ui.wait_conn("connected", 30)
    return state


def heard_log(entries):
    """What was heard, from the page's log: [{session, what: turn|name, turn, kind, start, end, how}]
    (t in ms). A turn is heard from play-start (or resumed) to play-end (or paused); an agent's name
    from announce to announce-end. Unclosed intervals end at None."""
    heard, open_ = [], {}
    for e in entries:
        kind, session = e.get("type"), e.get("session")
        key = (session, "name") if kind in ("announce", "announce-end") else (session, e.get("turn"))
        if kind in ("play-start", "resumed", "announce"):
            open_[key] = {"session": session, "what": "name" if kind == "announce" else "turn", "turn": e.get("turn"),
                          "kind": e.get("kind"), "start": e["t"], "end": None, "how": None}
            heard.append(open_[key])
        elif kind in ("play-end", "paused", "announce-end") and key in open_:
            interval = open_.pop(key)
            interval["end"], interval["how"] = e["t"], e.get("how") or kind
    return heard


def overlapping(heard):
    """Pairs of intervals heard at the same time (there must be none: one voice at a time)."""
    pairs = []
    for i, x in enumerate(heard):
        for y in heard[i + 1:]:
            x_end = x["end"] if x["end"] is not None else float("inf")
            y_end = y["end"] if y["end"] is not None else float("inf")
            if x["start"] < y_end and y["start"] < x_end:
                pairs.append([x, y])
    return pairs


def is_quiet(ui):
    """Nothing heard, queued, recorded or waited for (an answer on its way) on the page."""
    st = ui.state()
    waiting = [s for s in (st.get("sessions") or {}).values() if s.get("answered") and not (s.get("turn") or {}).get("done")]
    return not st.get("queue") and not st.get("recording") and not st.get("playing") and not waiting


def wait_quiet(ui, ms):
    """Waits until the page has been quiet (is_quiet) for `ms` without a break."""
    since = []

    def settled():
        if not is_quiet(ui):
            since.clear()
            return False
        since.append(ui.page.evaluate("performance.now()"))
        return since[-1] - since[0] >= ms
    ui.wait_until(settled, 3 * ANSWER, lambda: f"a quiet page for {ms} ms (queue {ui.state().get('queue')}, recording {ui.state().get('recording')})")


def hands_free(ui, args):
    """(h) Hands-free with two agents: every turn is heard one at a time (never two voices at once),
    each after its agent's name in its voice when another agent spoke last; each question's answer
    is recorded for the agent that asked; the queue shows who waits. Then a prompt typed in the
    box reaches an agent (prompt_status). The demo agents run with --turns 2 --stay: greeting, the
    answer, "You said: …" (asking again), the answer, then quiet."""
    open_page(ui, args)
    _, hello = ui.wait_event("hello", timeout=10)
    if "prompts" not in (hello.get("capabilities") or []):
        raise Failure(f"hello does not announce prompts: {hello}")
    ui.page.check("#hands-free")
    ui.wait_until(lambda: ui.state().get("handsFree") is True, 5, "state.handsFree after checking #hands-free")
    a = new_session(ui, shot=False)
    b = sync("create-session")["session"]
    ui.wait_until(lambda: ui.tab(b).count() == 1, 30, f"a tab for {b}")

    # Both greetings are heard and answered by themselves, in either order. The queue, while it
    # has more than one turn, shows them all.
    queue_seen = []

    def answered_both():
        shown = ui.page.eval_on_selector_all("#play-queue li", "els => els.map(e => e.textContent)")
        if len(shown) > len(queue_seen):
            queue_seen[:] = shown
            if len(shown) > 1:
                ui.shot("queue")
        ui.poll()
        return all(ui.matching("recording-sent", s) for s in (a, b))
    ui.wait_until(answered_both, FIRST_SPEECH + 2 * ANSWER,
                  lambda: f"an answer recorded for both {a} and {b} (log tail {ui.entries[-8:]})")
    ui.shot("both-answered")

    # Each agent repeats what it heard, and asks again (heard and answered the same way).
    def you_said(session):
        texts = [e.get("text", "") for e in ui.session(session).get("transcript") or [] if e.get("role") == "agent"]
        return next((t for t in texts if t.startswith("You said") and overlap(args.expect, t) >= 0.7), None)
    said = {}
    for s in (a, b):
        said[s] = ui.wait_until(lambda: you_said(s), 2 * ANSWER, lambda: f"'You said: {args.expect}' from {s}")

    # Then all is quiet: nothing heard, queued or recorded for three seconds.
    wait_quiet(ui, 3000)

    # Both agents end a turn without converse at the same moment (the test sends their Stop
    # hooks): the hub reads both replies out; they are heard one after the other, each after
    # its agent's name, and after each the page listens for a prompt.
    mark = ui.last_index()
    sync("reports", sessions=[a, b])

    def reports_heard():
        ui.poll()
        ended = {e.get("session") for _, e in ui.matching("play-end", after=mark) if e.get("kind") == "report"}
        return ended >= {a, b}
    ui.wait_until(reports_heard, 2 * ANSWER, lambda: f"both reports heard (log tail {ui.entries[-8:]})")
    wait_quiet(ui, 3000)
    ui.shot("reports-heard")

    ui.poll()
    on = max(i for i, e in ui.matching("hands-free") if e.get("on"))
    entries = ui.entries[on:]
    heard = heard_log(entries)
    pairs = overlapping(heard)
    if pairs:
        raise Failure(f"two voices at once: {pairs[:3]}")
    turns = [h for h in heard if h["what"] == "turn"]
    for s in (a, b):
        if not any(h["session"] == s and h["how"] == "ended" for h in turns):
            raise Failure(f"no turn of {s} was heard to its end: {turns}")
        if not any(h["session"] == s and h["kind"] == "report" and h["how"] == "ended" for h in turns):
            raise Failure(f"the report of {s} was not heard to its end: {turns}")
    # Each turn of another agent than the one heard before it comes right after that agent's name.
    previous, unannounced = None, []
    for h in heard:
        if h["what"] == "turn" and h["session"] != previous:
            name = next((n for n in reversed(heard) if n["what"] == "name" and n["start"] <= h["start"]), None)
            if not name or name["session"] != h["session"] or (name["end"] is not None and name["end"] > h["start"]):
                unannounced.append(h)
        if h["what"] == "turn":
            previous = h["session"]
    if unannounced:
        raise Failure(f"turns heard without their agent's name first: {unannounced}")
    # Each answer is recorded for the agent whose question was heard last.
    answers = []
    for i, e in enumerate(entries):
        if e.get("type") == "record-start" and e.get("purpose", "answer") == "answer":
            last = next((h for h in reversed(turns) if h["end"] is not None and h["end"] <= e["t"]), None)
            answers.append({"session": e.get("session"), "after": last and last["session"], "kind": last and last["kind"]})
    wrong = [x for x in answers if x["session"] != x["after"]]
    if wrong:
        raise Failure(f"answers recorded for another agent than the one heard last: {wrong}")

    # A prompt typed in the box, to the first agent (chosen by a click: the view is the user's).
    ui.tab(a).locator(".label").click()
    ui.wait_until(lambda: ui.state().get("selected") == a, 5, f"{a} selected")
    text = "Please summarize the project."
    mark = ui.last_index()
    ui.page.fill("#prompt-text", text)
    ui.page.press("#prompt-text", "Enter")
    ui.wait_event("prompt-status", a, mark, timeout=15, what=f"prompt_status for {a}")
    ui.page.wait_for_timeout(500)
    ui.poll()
    states = [e.get("state") for _, e in ui.matching("prompt-status", a, mark)]
    if "lost" in states:
        raise Failure(f"the typed prompt was lost: {states}")
    bubble = ui.wait_until(lambda: ui.page.evaluate("""text => {
        const el = [...document.querySelectorAll('#transcript .entry.user')].find(e => e.querySelector('.bubble').textContent === text);
        return el && el.dataset.promptState ? {state: el.dataset.promptState, says: el.querySelector('.prompt-state').textContent} : null;
    }""", text), 5, "the prompt's bubble with its state")
    if ui.page.input_value("#prompt-text"):
        raise Failure("the prompt box kept the text after it was sent")
    ui.shot("prompt-delivered")
    facts = {
        "session": a, "session_b": b, "capabilities": hello.get("capabilities"),
        "heard": [{k: h[k] for k in ("session", "what", "turn", "kind", "start", "end", "how")} for h in heard],
        "announcements": [{"session": e.get("session"), "how": e.get("how"), "bytes": e.get("bytes")}
                          for e in entries if e.get("type") == "announce-end"],
        "answers": answers, "overlaps": len(pairs), "queue_seen": queue_seen, "you_said": said,
        "prompt": {"session": a, "text": text, "states": states, "bubble": bubble},
    }
    facts.update(phone(ui))
    return facts


def priority(ui, args):
    """(i) One voice at a time, permission first: while one agent's long report is heard (and the
    page listens for a prompt after it), a new agent greets (a question) and then another asks
    permission; when the floor is free the permission question is heard first, though it came
    later, then the question; nothing overlaps."""
    open_page(ui, args)
    ui.page.check("#hands-free")
    ui.wait_until(lambda: ui.state().get("handsFree") is True, 5, "state.handsFree")
    ids = sync("setup")
    a, b = ids["a"], ids["b"]
    def answered_both():
        ui.poll()
        return all(ui.matching("recording-sent", s) for s in (a, b))
    ui.wait_until(answered_both, FIRST_SPEECH + 2 * ANSWER,
                  lambda: f"both greetings answered (log tail {ui.entries[-6:]})")
    wait_quiet(ui, 2000)

    mark = ui.last_index()
    sync("report", session=a)
    ui.wait_event("play-start", a, mark, timeout=ANSWER, where=lambda e: e.get("kind") == "report", what=f"{a}'s report heard")
    c = sync("ask-both", permission=b)["c"]
    # Both wait while the report (and the listening after it) holds the floor.
    waiting = ui.wait_until(
        lambda: (lambda q: q if {(i.get("session_id"), i.get("kind")) for i in q} >= {(c, "question"), (b, "permission")} else None)(
            [i for i in ui.state().get("queue") or [] if i.get("session_id") != a]),
        30, lambda: f"{c}'s question and {b}'s permission queued together (queue {ui.state().get('queue')})")
    ui.poll()
    started_since = [e for _, e in ui.matching("play-start", after=mark) if e.get("session") != a]
    if started_since:
        raise Failure(f"something else played while {a} held the floor: {started_since}")
    ui.shot("queue-permission-first")
    ui.wait_event("play-start", after=mark, timeout=2 * ANSWER, where=lambda e: e.get("session") in (b, c),
                  what="the next turn after the report")
    ui.poll()
    order = [(e.get("session"), e.get("kind")) for _, e in ui.matching("play-start", after=mark) if e.get("session") in (b, c)]
    if order[0] != (b, "permission"):
        raise Failure(f"the permission question was not heard first: {order}")
    sync("deny", session=b)
    ui.wait_event("play-start", c, mark, timeout=2 * ANSWER, what=f"{c}'s question after the permission")
    ui.poll()
    heard = heard_log(ui.entries[mark:])
    pairs = overlapping(heard)
    if pairs:
        raise Failure(f"two voices at once: {pairs[:3]}")
    order = [(e.get("session"), e.get("kind")) for _, e in ui.matching("play-start", after=mark) if e.get("session") in (b, c)]
    return {"session": a, "session_b": b, "session_c": c, "order": [f"{s}:{k}" for s, k in order],
            "queued": [f"{i.get('session_id')}:{i.get('kind')}" for i in waiting], "overlaps": len(pairs)}


def hold_and_end_word(ui, args):
    """(j) Push-to-talk and the end word, in Manual mode with a long pause setting (3 s) so that
    neither the mode nor the pause ends a recording. The fake mic says "<sentence>, over." then,
    after 0.7 s, more words. Held Space records until it is released; with the end word "over"
    set, a tap records until the pause after "over" and the later words are not sent."""
    open_page(ui, args)
    ui.page.click("#mode")
    ui.wait_until(lambda: ui.state().get("auto") is False, 5, "Manual mode")
    ui.page.click("#settings-toggle")
    ui.page.fill("#vad-silence", "3000")
    ui.page.press("#vad-silence", "Tab")
    ui.wait_until(lambda: (ui.state().get("vad") or {}).get("silenceMs") == 3000, 5, "a 3 s pause setting")
    ui.page.click("#settings-toggle")
    a = new_session(ui, shot=False)
    start, _ = ui.wait_event("play-start", a, timeout=FIRST_SPEECH)
    ui.wait_event("play-end", a, start, timeout=ANSWER)
    ui.page.wait_for_timeout(300)
    ui.page.locator("body").focus()

    # Held: recorded while Space is down, sent on release (6 s: before the 3 s pause could end it).
    mark = ui.last_index()
    ui.page.keyboard.down("Space")
    ui.wait_event("record-start", a, mark, timeout=10)
    ui.page.wait_for_timeout(6000)
    ui.page.keyboard.up("Space")
    _, held = ui.wait_event("record-stop", a, mark, timeout=10)
    ui.wait_event("recording-sent", a, mark, timeout=10)
    facts = {"session": a, "held_stop": held.get("reason")}
    ui.wait_bubble("agent", lambda t: t.startswith("You said") and overlap(args.expect, t) >= 0.5, ANSWER, "the agent's answer to the held recording")

    # The end word: a tap starts, the pause after "over" ends it at once.
    ui.page.click("#settings-toggle")
    ui.page.fill("#end-word", "over")
    ui.page.press("#end-word", "Tab")
    ui.wait_until(lambda: ui.state().get("endWord") == "over", 5, "the end word set")
    ui.page.click("#settings-toggle")
    ui.wait_until(lambda: ui.state().get("sessions", {}).get(a, {}).get("pendingListen"), ANSWER, "the agent listening again")
    mark = ui.last_index()
    ui.page.click("#mic")
    ui.wait_event("record-start", a, mark, timeout=10)
    _, stopped = ui.wait_event("record-stop", a, mark, timeout=20)
    facts["end_word_stop"] = stopped.get("reason")
    facts["end_word_after_ms"] = stopped["t"] - ui.matching("record-start", a, mark)[0][1]["t"]
    if stopped.get("reason") != "end-word":
        raise Failure(f"the recording did not end on the end word: {stopped}")
    ui.wait_event("recording-sent", a, mark, timeout=10)
    def without_end_word(t):
        said = t.lower().split("said:", 1)[-1]
        return t.startswith("You said") and "over" not in said and "later" not in said and overlap(args.expect, t) >= 0.5
    facts["you_said"] = ui.wait_bubble("agent", without_end_word, ANSWER, "the agent's answer, without the end word and what came after it")
    return facts


def spoken_ms(path):
    """How long the speech in a 16-bit mono WAV lasts, pauses included: from its first to its last
    sample above 1% of full scale (the quiet before and after left out)."""
    with wave.open(path) as w:
        rate, samples = w.getframerate(), array.array("h", w.readframes(w.getnframes()))
    loud = [i for i, s in enumerate(samples) if abs(s) > 327]
    return round((loud[-1] - loud[0]) * 1000 / rate) if loud else 0


def stops_of(ui, session, start):
    """The record-stop entries after the record-start at index `start`, up to the next record-start."""
    ui.poll()
    following = [i for i, _ in ui.matching("record-start", session, start)]
    until = following[0] if following else len(ui.entries)
    return [e for i, e in ui.matching("record-stop", session, start) if i < until]


def pauses(ui, args):
    """(k) Pauses inside a sentence (0.8 s, then 0.6 s) do not end the answer: with the default
    pause setting (900 ms) the recording stops once, after the last word, is streamed, and the
    agent hears the whole sentence; twice (the agent asks again, the mic says it again).
    --expect holds the sentence's three parts split by "|"; --wav says them with those pauses."""
    parts = [p.strip() for p in args.expect.split("|")]
    if len(parts) != 3:
        raise Failure(f"--expect must be the sentence's three parts split by '|': {args.expect!r}")
    sentence, speech_ms = " ".join(parts), spoken_ms(args.wav)
    open_page(ui, args)
    st = ui.state()
    if st.get("auto") is not True or (st.get("vad") or {}).get("silenceMs") != 900:
        raise Failure(f"not Auto mode with the default 900 ms pause: auto {st.get('auto')}, vad {st.get('vad')}")
    a = new_session(ui, shot=False)

    def whole(text):
        return overlap(sentence, text) >= 0.8 and all(overlap(p, text) >= 0.75 for p in (parts[0], parts[-1]))

    def nth(role, n, prefix=""):
        texts = [e.get("text", "") for e in ui.session(a).get("transcript") or []
                 if e.get("role") == role and e.get("text", "").startswith(prefix)]
        return texts[n - 1] if len(texts) >= n else None

    turns, mark = [], -1
    for n in (1, 2):
        start, started = ui.wait_event("record-start", a, mark, timeout=FIRST_SPEECH + ANSWER, what=f"answer {n} recording")
        stop, stopped = ui.wait_event("record-stop", a, start, timeout=60, what=f"answer {n} stopping")
        lasted = stopped["t"] - started["t"]
        if stopped.get("reason") != "vad":
            raise Failure(f"answer {n} was stopped by {stopped.get('reason')!r}, expected 'vad': {stopped}")
        # The WAV plays from the moment the mic opens: a stop before its speech is over came in a pause.
        if lasted < speech_ms:
            raise Failure(f"answer {n} stopped after {lasted} ms, within the sentence ({speech_ms} ms of speech): a pause ended it")
        _, sent = ui.wait_event("recording-sent", a, stop, timeout=10, what=f"answer {n} sent")
        streamed = [e for _, e in ui.matching("recording-streamed", a, start)]
        if sent.get("streamed") is not True or not streamed or not streamed[0].get("chunks"):
            raise Failure(f"answer {n} was not streamed: recording-sent {sent}, recording-streamed {streamed}")
        heard = ui.wait_until(lambda: nth("user", n), ANSWER, f"the user's answer {n} as a bubble")
        if not whole(heard):
            raise Failure(f"answer {n} did not arrive whole: {heard!r}, said {sentence!r}")
        said = ui.wait_until(lambda: nth("agent", n, "You said"), ANSWER, f"the agent's 'You said: …' {n}")
        if not whole(said):
            raise Failure(f"the agent heard answer {n} cut: {said!r}, said {sentence!r}")
        stops = stops_of(ui, a, start)
        if len(stops) != 1:
            raise Failure(f"answer {n}'s recording stopped {len(stops)} times: {stops}")
        turns.append({"lasted_ms": lasted, "speech_end": streamed[0].get("speech_end"), "chunks": streamed[0].get("chunks"),
                      "user_text": heard, "you_said": said})
        mark = stop
    ui.shot("heard-whole-twice")
    return {"session": a, "speech_ms": speech_ms, "turns": turns}


# Installed before the page's scripts: a browser without AudioWorklet, and the types of the
# messages the page sends (to see that the answer went whole, as one `audio` message).
NO_WORKLET = """
delete window.AudioWorkletNode;
window.__clawmuxSent = [];
(() => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try { window.__clawmuxSent.push(JSON.parse(data).type); } catch { /* not JSON */ }
    return send.call(this, data);
  };
})();
"""


def whole_recording(ui, args):
    """(l) A browser without AudioWorklet: the page records with MediaRecorder, VAD stops it, the
    answer goes whole (one `audio` message, nothing streamed) and the agent hears it."""
    ui.page.add_init_script(NO_WORKLET)   # before open_page: it runs at each navigation
    open_page(ui, args)
    if ui.page.evaluate("typeof AudioWorkletNode") != "undefined":
        raise Failure("AudioWorkletNode is still there: the fallback is not what runs")
    a = new_session(ui, shot=False)
    _, end, _ = played(ui, a, -1)
    sent, heard = answer(ui, a, end, args.expect)
    said = agent_echo(ui, args.expect)
    ui.poll()
    entry = ui.entries[sent]
    if entry.get("streamed") or ui.matching("recording-streamed", a):
        raise Failure(f"the recording was streamed without AudioWorklet: {entry}")
    types = ui.page.evaluate("window.__clawmuxSent")
    streamed = sorted({t for t in types if str(t).startswith("recording_")})
    if "audio" not in types or streamed:
        raise Failure(f"expected a whole `audio` message and no recording_*: sent {types}")
    return {"session": a, "user_text": heard, "agent_text": said, "bytes": entry.get("bytes"), "sent_types": types}


def close_mid_answer(ui, args):
    """(m) Closing the page while the user answers is not "send": that recording is dropped (the
    hub hears nothing half-said), and a page opened next answers the same question whole."""
    from page import Page
    open_page(ui, args)
    a = new_session(ui, shot=False)
    start, _ = ui.wait_event("record-start", a, timeout=FIRST_SPEECH)
    # The fake mic says a long answer (the test's WAV: ~7 s of speech from its start): 2 s in,
    # the user is mid-sentence when the page closes.
    ui.page.wait_for_timeout(2000)
    context = ui.page.context
    ui.page.close()
    again = Page(context.new_page(), ui.shots_dir, ui.scale)
    again.page.goto(f"{args.url}/?token={args.token}", wait_until="load")
    again.wait_conn("connected", 20)
    again.wait_until(lambda: again.state().get("selected") == a, 20, "the session selected again")
    # The hub still waits for the answer: the new page is told to listen, and Auto records it.
    rec, _ = again.wait_event("record-start", a, timeout=ANSWER)
    _, stopped = again.wait_event("record-stop", a, rec, timeout=40)
    if stopped.get("reason") != "vad":
        raise Failure(f"the new page's recording stopped by {stopped.get('reason')!r}: {stopped}")
    heard = again.wait_bubble("user", lambda text: overlap(args.expect, text) >= 0.7, ANSWER,
                              lambda: f"the whole answer as a user bubble (have {again.bubbles('user')})")
    said = again.wait_bubble("agent", lambda t: t.startswith("You said") and overlap(args.expect, t) >= 0.7, ANSWER,
                             lambda: f"the agent's echo of the whole answer (have {again.bubbles('agent')})")
    ui.page = again.page   # failure dumps and screenshots from the page still open
    ui.entries = again.entries
    return {"session": a, "user_text": heard, "agent_text": said, "user_bubbles": again.bubbles("user")}


def on_host(ui, args):
    """New Session on a host: the Machine picker lists the hosts (one that is down, with ssh's
    reason, cannot be picked); choosing one loads that machine's folders; the agent started there
    speaks, hears the answer and says it back, and the page says where it runs."""
    open_page(ui, args)
    ui.page.click("#new-session")
    ui.page.wait_for_selector("#new-session-dialog[open]", timeout=5000)
    ui.wait_until(lambda: not ui.page.eval_on_selector("#ns-host-row", "e => e.hidden"), 5, "the Machine picker")
    hosts = ui.page.eval_on_selector_all("#ns-host option", "os => os.map(o => ({value: o.value, text: o.textContent, disabled: o.disabled}))")
    down = [h for h in hosts if h["value"] == "wrongkey"]
    if not down or not down[0]["disabled"] or "Permission denied" not in down[0]["text"]:
        raise Failure(f"the host that refuses the key is not shown as down with ssh's reason: {hosts}")
    ui.page.select_option("#ns-host", "box")
    # The host's config folder (its `projects:`), found there: the first of the "Projects" group.
    folder = ui.wait_until(lambda: (ui.page.eval_on_selector_all(
        '#ns-folder optgroup[label="Projects"] option', "os => os.map(o => o.value)") or [None])[0], 20,
        "the host's own folder in the list")
    ui.page.select_option("#ns-folder", folder)
    ui.shot("new-session-on-host")
    before = set((ui.state().get("sessions") or {}).keys())
    ui.page.click("#new-session-start")

    def selected_new():
        state = ui.state()
        fresh = set((state.get("sessions") or {}).keys()) - before
        return state.get("selected") if state.get("selected") in fresh else None
    session = ui.wait_until(selected_new, FIRST_SPEECH, "the new session, selected")
    start, end, _ = played(ui, session, 0)
    shown = ui.page.text_content("#session-project") or ""
    if "on box" not in shown:
        raise Failure(f"the session does not say it runs on box: {shown!r}")
    ui.shot("session-on-host")
    sent, heard = answer(ui, session, end, args.expect)
    said = agent_echo(ui, args.expect)
    return {"session": session, "hosts": hosts, "folder": folder, "project_text": shown, "user_text": heard, "agent_text": said}


SCENARIOS = {
    "end-to-end": end_to_end, "mute": mute, "barge-in": barge_in, "background": background,
    "reconnect": reconnect, "voice": voice_change, "smoke": smoke, "cockpit": cockpit,
    "hands-free": hands_free, "priority": priority, "hold-and-end-word": hold_and_end_word,
    "pauses": pauses, "whole-recording": whole_recording, "close-mid-answer": close_mid_answer,
    "on-host": on_host,
}
