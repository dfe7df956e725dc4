// The voice side of each session: its turn's audio (played only in the front tab, buffered
// in the others), the user's recording, the mic button, barge-in, and what happens next.
import { cue, unlockCues } from './cues.js';
import { note } from './log.js';
import { Recorder } from './recorder.js';
import { addEntry, selectedSession, state, upsertSession, wasRemoved } from './sessions.js';
import { toast } from './toast.js';
import * as Turn from './turn-phase.js';
import { TurnPlayer } from './turn-player.js';
import { base64ToBytes, blobToBase64 } from './util.js';
import { render, renderControls } from './view.js';

const players = new Map();         // session_id -> the TurnPlayer of its current turn
const finishing = new Map();       // session_id -> an ended turn's player still to be heard
const entryAudio = new WeakMap();  // agent transcript entry -> Blob, for ▶ on its bubble
let recorder = null;
let recordingTicker = null;
let replaying = null;              // an Audio element playing a ▶ replay
let hub = null;                    // {send, hasQueued}

export function useHub(connection) { hub = connection; }
export const hasAudio = (entry) => entryAudio.has(entry);

// ---------- the hub's per-session events ----------

export function onSessionEvent(message) {
  const id = message.session_id;
  if (wasRemoved(id)) return;
  // Events normally follow the session's tab; a placeholder keeps them if not.
  const s = state.sessions[id] || upsertSession({ session_id: id, status: 'active' });
  if (!s) return;
  // The hub names each converse turn: flags of the last one must not leak into the next.
  if (message.turn && message.turn !== s.turn.tag) {
    Turn.started(s.turn, message.turn);
    s.answered = false;
    s.pendingListen = false;
    s.autoStarted = Boolean(recorder && recorder.sessionId === id);
  }
  const front = id === state.selected;
  switch (message.type) {
    case 'assistant_text':
      startTurn(s);
      addEntry(s, 'agent', message.text);
      s.thinking = false;
      if (!front) s.unread = true;
      break;
    case 'user_text':
      addEntry(s, 'user', message.text);
      s.lastAnswer = null;   // the hub has it
      break;
    case 'status': onStatus(s, message.text || ''); break;
    case 'audio_chunk': onChunk(s, message); break;
    case 'audio': onWholeAudio(s, message); break;
    case 'listening': onListening(s); break;
    case 'done': onDone(s); break;
  }
}

function startTurn(s) {
  const id = s.session_id;
  const old = players.get(id);
  players.delete(id);
  Turn.speaking(s.turn);
  if (old && !old.over && old.turnDone) {
    // A turn that wanted no answer (a report, a goodbye) is still to be heard: it plays to
    // its end first; the hub waits for nothing from it.
    const earlier = finishing.get(id);
    if (earlier) earlier.stop();
    finishing.set(id, old);
    old.onended = () => {
      finishing.delete(id);
      if (state.playing === id) state.playing = null;
      note('play-end', { session: id, interrupted: false });
      pump();
    };
    return;
  }
  if (old && !old.over) old.stop();
  if (state.playing === id) state.playing = null;
}

function onStatus(s, text) {
  s.statusText = text;
  if (text.startsWith('Error:')) {
    addEntry(s, 'error', text);
    s.thinking = false;
  }
}

// A player for another turn than the message's (the hub names turns): a turn this page has not
// seen, e.g. asked again by a restarted hub while the page was away.
function playerFor(s, message) {
  const player = players.get(s.session_id);
  if (player && message.turn && player.turn && player.turn !== message.turn) {
    startTurn(s);
    return null;
  }
  return player || null;
}

function onChunk(s, message) {
  let player = playerFor(s, message);
  if (!player) player = newPlayer(s, true, message.turn);
  const bytes = base64ToBytes(message.data || '');
  player.chunk(Number(message.seq) || 0, bytes, message.format || 'audio/mpeg', Boolean(message.final));
  if (message.final) rememberAudio(s, player);
  noteBackground(s, player);
}

function onWholeAudio(s, message) {
  let existing = playerFor(s, message);
  if (existing && !existing.complete) {
    // Chunks stopped with the old socket; the hub now has the whole audio: play that instead.
    startTurn(s);
    existing = null;
  }
  if (existing) {
    // The hub's replay, after a reconnect, of audio this page has: it plays (or played) once.
    // If it played, the playback_done may have been lost with the old socket: say it again.
    if (existing.over && s.turn.played) hub.send({ session_id: s.session_id, type: 'playback_done' });
    return;
  }
  const player = newPlayer(s, false, message.turn);
  player.whole(base64ToBytes(message.data || ''), message.format || message.mime_type || 'audio/mpeg');
  rememberAudio(s, player);
  noteBackground(s, player);
}

function noteBackground(s, player) {
  if (s.session_id === state.selected || player.state !== 'buffering' || player.notedBackground) return;
  player.notedBackground = true;
  s.unread = true;
  note('buffered', { session: s.session_id });
}

function newPlayer(s, streaming, turn) {
  const player = new TurnPlayer({ streaming, turn, onended: (error) => playerEnded(s.session_id, error) });
  players.set(s.session_id, player);
  return player;
}

function rememberAudio(s, player) {
  const last = [...s.transcript].reverse().find((e) => e.role === 'agent');
  const blob = player.blob();
  if (last && blob && !entryAudio.has(last)) entryAudio.set(last, blob);
}

function onListening(s) {
  // Our answer waits in the outbox for the socket: this is the hub's replay; it will get it.
  if (hub.hasQueued(s.session_id, 'audio')) { Turn.transcribing(s.turn); return; }
  // The hub asks again on a newer connection than the one our answer went out on: it never
  // got it (the socket died under it). Send the same recording again: nothing said is lost.
  if (s.lastAnswer && s.lastAnswer.epoch < hub.epoch) {
    s.lastAnswer.epoch = hub.epoch;
    hub.send(s.lastAnswer.message);
    note('recording-resent', { session: s.session_id });
    Turn.transcribing(s.turn);
    return;
  }
  // Stale: our answer is on its way.
  if (s.answered) return;
  s.pendingListen = true;
  Turn.listening(s.turn);
  if (!s.statusText.startsWith('Error:')) s.statusText = '';
  // Already recording (barge-in, or a tap during playback): Auto must not start a second one.
  s.autoStarted = Boolean(recorder && recorder.sessionId === s.session_id);
  if (state.muted) { answerMuted(s); return; }
  // A background session waits for the user; its tab says so.
  if (s.session_id !== state.selected) s.unread = true;
}

function onDone(s) {
  const player = players.get(s.session_id);
  if (player) player.turnDone = true;
  s.pendingListen = false;
  s.answered = false;
  s.lastAnswer = null;
  Turn.done(s.turn);
  if (!s.statusText.startsWith('Error:')) s.statusText = '';
  // The turn ended without us (cancelled, or another browser answered): drop a recording.
  if (recorder && recorder.sessionId === s.session_id) recorder.stop('cancel');
}

// A session that ends must not keep the player or the mic.
export function endSessionWork(id) {
  for (const map of [players, finishing]) {
    const player = map.get(id);
    if (player) player.stop();
    map.delete(id);
  }
  if (state.playing === id) state.playing = null;
  if (recorder && recorder.sessionId === id) recorder.stop('cancel');
  const s = state.sessions[id];
  if (s) { s.pendingListen = false; s.thinking = false; Turn.ended(s.turn); }
}

// ---------- what plays or records next: only the front tab, one thing at a time ----------

export function pump() {
  const s = selectedSession();
  if (s && !recorder) {
    // An ended turn still being heard goes first.
    const held = finishing.get(s.session_id);
    const player = held && !held.over ? held : players.get(s.session_id);
    if (player && player.state === 'buffering') {
      stopReplay();
      state.playing = s.session_id;
      note('play-start', { session: s.session_id, format: player.segments[0] ? player.segments[0].format : null, streaming: player.streaming });
      player.play();
    } else if (player && player.state === 'paused') {
      state.playing = s.session_id;
      note('resumed', { session: s.session_id });
      player.resume();
    } else if (!(player && player.active) && player !== held && s.pendingListen && state.auto && !state.muted && !s.autoStarted) {
      s.autoStarted = true;
      startRecording(s);
    }
  }
  render();
}

function playerEnded(id, error) {
  if (state.playing === id) state.playing = null;
  note('play-end', { session: id, interrupted: false });
  const s = state.sessions[id];
  if (s) {
    if (error) {
      const blocked = error.name === 'NotAllowedError';
      addEntry(s, 'error', blocked
        ? 'The browser blocked autoplay; tap ▶ on the message to hear it.'
        : `Could not play the audio (${error.message || error.name || 'unknown error'}).`);
    }
    Turn.played(s.turn);
    hub.send({ session_id: id, type: 'playback_done' });
    note('playback-done-sent', { session: id });
  }
  pump();
}

// Leaving a tab mid-playback pauses it; it resumes when the tab is in front again.
export function selectSession(id) {
  if (!state.sessions[id]) return;
  const previous = state.selected;
  if (previous !== id) {
    for (const player of [finishing.get(previous), players.get(previous)]) {
      if (!player || player.state !== 'playing') continue;
      player.pause();
      note('paused', { session: previous });
      if (state.playing === previous) state.playing = null;
    }
  }
  state.selected = id;
  // Seen: its tab's flags go.
  Object.assign(state.sessions[id], { unread: false, attention: null });
  pump();
}

// ---------- the mic ----------

export function onMicTap() {
  unlockCues();
  if (recorder) {
    recorder.stop(recorder.phase === 'recording' ? 'tap' : 'cancel');
    render();
    return;
  }
  const s = selectedSession();
  if (!s) return;
  if (state.muted) { toast('The mic is muted — unmute to answer.', 'info'); return; }
  const held = finishing.get(s.session_id);
  if (held && held.active) {
    // Tapping while an ended turn is still heard only silences it.
    held.stop();
    finishing.delete(s.session_id);
    if (state.playing === s.session_id) state.playing = null;
    note('play-end', { session: s.session_id, interrupted: true });
    pump();
    return;
  }
  const player = players.get(s.session_id);
  if (player && player.active && s.turn.done) {
    // The turn wants no answer (it is over at the hub): the tap only silences it.
    player.stop();
    if (state.playing === s.session_id) state.playing = null;
    note('play-end', { session: s.session_id, interrupted: true });
    pump();
    return;
  }
  if (player && player.active) { bargeIn(s, player); return; }
  stopReplay();
  if (s.pendingListen) { startRecording(s); return; }
  toast('Nothing to answer yet — the agent is not listening.', 'info');
}

// Tap while the agent speaks: silence it now, tell the hub, and record the answer.
function bargeIn(s, player) {
  player.stop();
  if (state.playing === s.session_id) state.playing = null;
  note('play-end', { session: s.session_id, interrupted: true });
  Turn.played(s.turn);
  hub.send({ session_id: s.session_id, type: 'interrupt' });
  note('interrupt-sent', { session: s.session_id });
  s.pendingListen = true;
  Turn.listening(s.turn);
  s.autoStarted = true;
  startRecording(s);
}

async function startRecording(s) {
  if (recorder) return;
  const rec = recorder = new Recorder(s.session_id, state.vad);
  state.recording = { session_id: s.session_id, phase: 'starting' };
  rec.onfinish = (result) => finishRecording(rec, result);
  cue('listening', s.session_id);
  render();
  try {
    await rec.start();
  } catch (error) {
    if (recorder === rec) { recorder = null; state.recording = null; }
    toast(`Microphone unavailable: ${error.message || error.name}`);
    render();
    return;
  }
  if (recorder !== rec || rec.phase !== 'recording') return;
  state.recording.phase = 'recording';
  note('record-start', { session: s.session_id });
  clearInterval(recordingTicker);
  recordingTicker = setInterval(renderControls, 500);
  render();
}

async function finishRecording(rec, { blob, mimeType, reason }) {
  clearInterval(recordingTicker);
  note('record-stop', { session: rec.sessionId, reason });
  if (recorder === rec) { recorder = null; state.recording = null; }
  const s = state.sessions[rec.sessionId];
  try {
    if (s && ['vad', 'tap', 'limit', 'ended'].includes(reason)) {
      // Empty data means "muted" to the hub: never send an empty recording by accident.
      if (!blob.size) {
        toast('The recording was empty; tap the mic to try again.');
        s.autoStarted = false;
      } else {
        const data = await blobToBase64(blob);
        const message = { session_id: rec.sessionId, type: 'audio', data, mime_type: mimeType };
        hub.send(message);
        // Kept until the hub shows it has it (user_text or done): a dying socket may eat it.
        s.lastAnswer = { message, epoch: hub.epoch };
        note('recording-sent', { session: rec.sessionId, bytes: blob.size });
        s.pendingListen = false;
        s.answered = true;
        Turn.transcribing(s.turn);
        s.thinking = true;
        s.statusText = 'Sending…';
        cue('thinking', rec.sessionId);
      }
    }
  } catch (error) {
    toast(`Could not send the recording: ${error.message}`);
  }
  pump();
}

// Muted: answer at once with empty data; the agent receives "(session muted)".
function answerMuted(s) {
  hub.send({ session_id: s.session_id, type: 'audio', data: '', mime_type: 'audio/webm' });
  s.pendingListen = false;
  s.answered = true;
  Turn.transcribing(s.turn);
  note('muted-answer', { session: s.session_id });
  addEntry(s, 'info', 'Mic muted — answered without recording.');
}

export function setMuted(muted) {
  state.muted = muted;
  if (!muted) return;
  if (recorder) {
    const s = state.sessions[recorder.sessionId];
    recorder.stop('muted');
    if (s) answerMuted(s);
  }
  for (const id of state.order) {
    const s = state.sessions[id];
    if (s.pendingListen) answerMuted(s);
  }
}

// An `error` for a session: what we sent was refused (a recording too large, …); the hub still
// waits for an answer, so the mic is offered again.
export function answerRefused(s) {
  s.answered = false;
  s.lastAnswer = null;
  s.thinking = false;
  s.pendingListen = true;
  Turn.listening(s.turn);
  s.autoStarted = true;   // no automatic retry of the same mistake: the user taps
}

// ---------- ▶ on a bubble: no playback_done, the hub is not waiting for it ----------

export function replay(s, entry) {
  const blob = entryAudio.get(entry);
  if (!blob) return;
  if (state.playing || recorder) { toast('Busy — wait for the current audio or recording.', 'info'); return; }
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

function stopReplay() {
  if (!replaying) return;
  replaying.onended = null;
  replaying.pause();
  URL.revokeObjectURL(replaying.dataset.url);
  replaying = null;
}

// ---------- what the mic button shows ----------

export function micMode(s) {
  if (state.recording) return state.recording.phase === 'recording' ? 'recording' : 'busy';
  if (s && state.playing === s.session_id) return 'playing';
  if (s && s.pendingListen && !state.muted) return 'listening';
  return 'idle';
}

export function micHint(s, mode) {
  if (!s) return '';
  const label = (id) => (state.sessions[id] || {}).label || id;
  if (mode === 'recording') {
    const other = recorder.sessionId !== s.session_id ? ` (${label(recorder.sessionId)})` : '';
    return `Recording ${recorder.seconds}s${other} — ${state.vad.enabled ? 'stops when you pause, or ' : ''}tap to send`;
  }
  if (mode === 'busy') return 'Opening the microphone…';
  if (mode === 'playing') return 'Speaking — tap to interrupt and answer';
  if (mode === 'listening') return state.auto ? 'Listening…' : 'The agent is listening — tap (or space) to answer';
  if (state.muted) return 'Muted — the agent gets “(session muted)”';
  if (s.thinking) return 'The agent is thinking…';
  return s.status === 'active' ? 'The agent is working…' : 'Waiting for the agent';
}
