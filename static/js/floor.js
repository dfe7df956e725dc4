// What is heard next, one voice at a time across all sessions. The play queue (play-queue.js)
// orders the turns that have audio; the floor stays with an agent while the user answers it (the
// recording, then until the hub's `done` for that turn). Normal mode plays the front tab's turns
// only (a background session waits for its tab to be opened). Hands-free mode plays the whole
// queue by itself: it shows the session, says the agent's name (when another agent spoke last),
// plays the turn, then records the answer to a question, or listens a few seconds for a prompt
// after a report or a message.
import { announcement, playAnnouncement } from './announce.js';
import * as Hub from './hub-link.js';
import { note } from './log.js';
import { currentRecorder, startRecording } from './mic.js';
import { inOrder } from './play-queue.js';
import * as Players from './players.js';
import { addEntry, selectedSession, state } from './sessions.js';
import { toast } from './toast.js';
import * as Turn from './turn-phase.js';
import { render } from './view.js';

const LISTEN_MS = 5000;          // hands-free: how long it waits for a prompt after a report or a message
const ANSWER_FLOOR_MS = 120000;  // an answer whose `done` never comes does not hold the floor forever
export const ASKS = new Set(['question', 'permission']);

let announcing = null;   // {session, player, audio} while an agent's name is said before its turn
let lastHeard = null;    // the session heard last: hands-free announces another one first
let awaiting = null;     // hands-free: {session, turn} whose question was heard: the floor is its until answered
let listenFor = null;    // hands-free: the session whose report or message was heard: listen for a prompt
let replaying = null;    // an Audio element playing a ▶ replay

// After anything happened: start what comes next (if the floor is free), then draw.
export function pump() {
  decide();
  state.queue = queue().map(describe);
  if (state.handsFree) for (const item of state.queue) prefetch(item.session_id);
  render();
}

function decide() {
  if (currentRecorder() || announcing || Players.audible(state.order)) return;
  if (state.handsFree && followUp()) return;
  if (answerOnItsWay()) return;
  const next = nextTurn();
  if (next) start(next);
  else autoAnswer();
}

// What waits to be heard, in order: what is heard now (or paused) first.
function queue() {
  const pending = Players.allPending(state.order);
  const now = pending.filter((p) => p.active || (announcing && announcing.player === p));
  return [...now, ...inOrder(pending.filter((p) => !now.includes(p)))];
}

function describe(player) {
  const s = state.sessions[player.sessionId] || {};
  const now = announcing && announcing.player === player ? 'announcing' : player.state;
  return { session_id: player.sessionId, label: s.label || player.sessionId, kind: player.kind, turn: player.turn, state: now };
}

function prefetch(id) {
  const s = state.sessions[id];
  if (s && s.label) announcement(s);
}

function nextTurn() {
  if (state.handsFree) return inOrder(Players.allPending(state.order))[0] || null;
  const s = selectedSession();
  return s ? Players.pendingOf(s.session_id)[0] || null : null;
}

// The user answered (a recording went out): nothing else is heard until the hub ends that turn.
function answerOnItsWay() {
  return state.order.some((id) => {
    const s = state.sessions[id];
    return s.answered && !s.turn.done && Date.now() - (s.answeredAt || 0) < ANSWER_FLOOR_MS;
  });
}

// Auto mode: the front session listens, so the mic opens (as it always did).
function autoAnswer() {
  const s = selectedSession();
  if (s && s.pendingListen && state.auto && !state.muted && !s.autoStarted) {
    s.autoStarted = true;
    startRecording(s);
  }
}

// ---------- playing a turn ----------

function start(player) {
  const id = player.sessionId;
  if (state.handsFree) {
    show(id);
    if (id !== lastHeard) { announce(player); return; }
  }
  play(player);
}

function play(player) {
  const id = player.sessionId;
  stopReplay();
  state.playing = id;
  lastHeard = id;
  const fields = { session: id, turn: player.turn, kind: player.kind };
  if (player.state === 'paused') {
    note('resumed', fields);
    player.resume();
    return;
  }
  note('play-start', { ...fields, format: player.segments[0] ? player.segments[0].format : null, streaming: player.streaming });
  player.play();
}

// Hands-free: the view follows the voice (a tab shown this way is seen, as a click would).
function show(id) {
  if (state.selected === id || !state.sessions[id]) return;
  state.selected = id;
  Object.assign(state.sessions[id], { unread: false, attention: null });
}

// The agent's name in its voice, then its turn.
function announce(player) {
  const id = player.sessionId;
  const a = announcing = { session: id, player, audio: null, bytes: 0 };
  stopReplay();
  state.playing = id;
  note('announce', { session: id, turn: player.turn, kind: player.kind });
  announcement(state.sessions[id]).then((blob) => {
    if (announcing !== a) return;
    if (!blob) { announced(a, 'unavailable'); return; }
    a.bytes = blob.size;
    a.audio = playAnnouncement(blob, (how) => announced(a, how));
  });
}

function announced(a, how) {
  if (announcing !== a) return;
  stopAnnouncement(how);
  lastHeard = a.session;
  // Its turn follows at once (unless it went meanwhile, or hands-free was turned off).
  if (state.handsFree && !a.player.over && !Players.audible(state.order) && !currentRecorder()) play(a.player);
  pump();
}

function stopAnnouncement(how) {
  const a = announcing;
  if (!a) return null;
  announcing = null;
  if (a.audio) a.audio.stop();
  if (state.playing === a.session) state.playing = null;
  note('announce-end', { session: a.session, how, bytes: a.bytes });
  return a;
}

// A turn's audio is over. how: ended (heard to its end) | skipped | silenced (a tap on a turn that
// wants no answer) | barge-in | superseded (its turn was replaced) | session-ended. The caller pumps.
export function turnHeard(player, { error = null, how = 'ended' } = {}) {
  const id = player.sessionId;
  Players.settle(id, player);
  if (state.playing === id) state.playing = null;
  note('play-end', { session: id, turn: player.turn, kind: player.kind, interrupted: how !== 'ended', how });
  const s = state.sessions[id];
  if (!s) return;
  if (error) {
    const blocked = error.name === 'NotAllowedError';
    addEntry(s, 'error', blocked
      ? 'The browser blocked autoplay; tap ▶ on the message to hear it.'
      : `Could not play the audio (${error.message || error.name || 'unknown error'}).`);
  }
  // The hub waits for the current turn's playback (a question's, before it listens). A skipped
  // one is cut short like a barge-in: the hub stops making its audio and listens (a question),
  // or ends it (a report still being made).
  if ((how === 'ended' || how === 'skipped') && Players.currentPlayer(id) === player) {
    Turn.played(s.turn);
    const type = how === 'ended' ? 'playback_done' : 'interrupt';
    Hub.send({ session_id: id, type, ...(player.turn ? { turn: player.turn } : {}) });
    note(how === 'ended' ? 'playback-done-sent' : 'interrupt-sent', { session: id, how });
  }
  if (!state.handsFree || !['ended', 'silenced'].includes(how)) return;
  if (!ASKS.has(player.kind)) listenFor = id;
  else if (how === 'ended' && player.turn === s.turn.tag && !s.turn.done) awaiting = { session: id, turn: player.turn };
}

// Hands-free, after a turn was heard: its answer, or a prompt. True while the floor is taken.
function followUp() {
  if (listenFor) {
    const s = state.sessions[listenFor];
    listenFor = null;
    if (s && s.status !== 'dead' && !state.muted) {
      note('hands-free-listen', { session: s.session_id });
      startRecording(s, { purpose: 'prompt', listenMs: LISTEN_MS });
      return true;
    }
  }
  if (!awaiting) return false;
  const s = state.sessions[awaiting.session];
  if (!s || s.turn.tag !== awaiting.turn || s.turn.done || s.skippedTurn === awaiting.turn) {
    awaiting = null;
    return false;
  }
  if (s.pendingListen && !s.answered && !s.autoStarted && !state.muted) {
    s.autoStarted = true;
    note('hands-free-answer', { session: s.session_id });
    startRecording(s);
  }
  return true;
}

// ---------- the user's choices ----------

// A tab chosen (click, key, notification). Normal mode: what the old tab said pauses, and goes on
// when it is back in front. Hands-free: the voice goes on; only the view changes.
export function selectSession(id) {
  if (!state.sessions[id]) return;
  const previous = state.selected;
  if (previous !== id && !state.handsFree) {
    for (const player of Players.pendingOf(previous)) {
      if (player.state !== 'playing') continue;
      player.pause();
      note('paused', { session: previous, turn: player.turn, kind: player.kind });
      if (state.playing === previous) state.playing = null;
    }
  }
  state.selected = id;
  // Seen: its tab's flags go.
  Object.assign(state.sessions[id], { unread: false, attention: null });
  pump();
}

export function setHandsFree(on) {
  state.handsFree = on;
  note('hands-free', { on });
  awaiting = null;
  listenFor = null;
  lastHeard = null;   // the first turn from now on says whose it is
  if (!on) stopAnnouncement('hands-free-off');
  pump();
}

// The turn heard now (or whose agent's name is said now): a tap on the mic is about it.
export function heardNow() {
  return announcing ? announcing.player : Players.audible(state.order);
}

// The mic took over the turn heard now: its name stops, and its audio.
export function interruptHeard(player, how) {
  if (announcing && announcing.player === player) stopAnnouncement(how);
  player.stop();
  turnHeard(player, { how });
}

export const canSkip = () => Boolean(announcing || Players.audible(state.order) || currentRecorder() || awaiting);

// Skip: the turn heard now stops and the next comes. A skipped question stays pending in its tab
// (its badge too; the mic answers it later); a skipped report is just over. With nothing heard,
// the recording (an answer, or hands-free listening for a prompt) is dropped instead.
export function skip() {
  const a = stopAnnouncement('skipped');
  const player = a ? a.player : Players.audible(state.order);
  if (player && !player.over) {
    const s = state.sessions[player.sessionId];
    note('skip', { session: player.sessionId, turn: player.turn, kind: player.kind });
    if (s && ASKS.has(player.kind) && player.turn === s.turn.tag && !s.turn.done) leavePending(s, player.kind);
    player.stop();
    turnHeard(player, { how: 'skipped' });
  } else {
    const rec = currentRecorder();
    const s = state.sessions[rec ? rec.sessionId : awaiting && awaiting.session];
    if (s) {
      note('skip', { session: s.session_id, recording: rec ? rec.purpose : null });
      if (!rec || rec.purpose === 'answer') leavePending(s, s.turn.kind);
    }
    awaiting = null;
    if (rec) rec.stop('cancel');   // finishing it pumps
  }
  pump();
}

function leavePending(s, kind) {
  s.skippedTurn = s.turn.tag;
  s.autoStarted = true;   // not recorded by itself: the user answers it when they choose
  s.attention = kind === 'permission' ? 'permission' : 'question';
  if (awaiting && awaiting.session === s.session_id) awaiting = null;
}

// A session ends: nothing of it is said or waited for any more.
export function forgetSession(id) {
  if (announcing && announcing.session === id) stopAnnouncement('session-ended');
  if (awaiting && awaiting.session === id) awaiting = null;
  if (listenFor === id) listenFor = null;
  if (lastHeard === id) lastHeard = null;
}

// ---------- ▶ on a bubble: no playback_done, the hub is not waiting for it ----------

export function replay(s, entry) {
  const blob = Players.audioOf(entry);
  if (!blob) return;
  if (state.playing || currentRecorder()) { toast('Busy — wait for the current audio or recording.', 'info'); return; }
  stopReplay();
  const url = URL.createObjectURL(blob);
  replaying = new Audio(url);
  replaying.dataset.url = url;
  replaying.onended = () => stopReplay();
  replaying.play().catch((error) => {
    stopReplay();
    if (error.name !== 'AbortError') toast(`Could not play: ${error.message}`);
  });
}

export function stopReplay() {
  if (!replaying) return;
  replaying.onended = null;
  replaying.pause();
  URL.revokeObjectURL(replaying.dataset.url);
  replaying = null;
}
