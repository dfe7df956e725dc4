// The hub's events for each session's conversation: its turns' words (and their kind), audio and
// phases. Audio goes to the session's players (players.js, kept until heard); floor.js decides
// what is heard and when, mic.js records.
import { ASKS, forgetSession, pump, turnHeard } from './floor.js';
import * as Hub from './hub-link.js';
import { note, wallNow } from './log.js';
import { answerMuted, cancelRecording } from './mic.js';
import * as Players from './players.js';
import { echoed } from './prompts.js';
import { addEntry, state, upsertSession, wasRemoved } from './sessions.js';
import * as Turn from './turn-phase.js';
import { base64ToBytes } from './util.js';

export const hasAudio = (entry) => Boolean(Players.audioOf(entry));

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
    s.skippedTurn = null;
    s.autoStarted = recordingFor(id);
  }
  const front = id === state.selected;
  switch (message.type) {
    case 'assistant_text':
      note('assistant-text', { session: id, turn: message.turn, kind: message.kind, chars: (message.text || '').length });
      startTurn(s, message.kind);
      addEntry(s, 'agent', message.text);
      s.thinking = false;
      if (!front) s.unread = true;
      break;
    case 'user_text':
      note('user-text', { session: id, turn: message.turn, at: Math.round(wallNow()), ...(message.timing ? { timing: message.timing } : {}) });
      // A typed answer's bubble is there already (its prompt_status came first).
      if (!echoed(s, message.text)) addEntry(s, 'user', message.text);
      s.lastAnswer = null;   // the hub has it
      break;
    case 'status': onStatus(s, message.text || ''); break;
    case 'audio_chunk': onChunk(s, message); break;
    case 'audio': onWholeAudio(s, message); break;
    case 'listening': onListening(s); break;
    case 'done': onDone(s); break;
  }
}

const recordingFor = (id) => Boolean(state.recording && state.recording.session_id === id);

// A new turn's words (or its audio starting over): the old turn's player is heard first if its
// turn is over at the hub (a report, a goodbye), else it stops.
function startTurn(s, kind = null) {
  const stopped = Players.retire(s.session_id);
  if (stopped) turnHeard(stopped, { how: 'superseded' });
  Turn.speaking(s.turn, kind);
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
  const player = Players.currentPlayer(s.session_id);
  if (player && message.turn && player.turn && player.turn !== message.turn) {
    startTurn(s);
    return null;
  }
  return player;
}

// Audio of a question that was answered (or withdrawn) before it came: nothing to hear.
function answeredAlready(s, message) {
  return Boolean(message.turn) && message.turn === s.turn.tag && s.turn.done && ASKS.has(s.turn.kind || 'question');
}

function onChunk(s, message) {
  let player = playerFor(s, message);
  if (!player) {
    if (answeredAlready(s, message)) return;
    player = newPlayer(s, true, message.turn);
  }
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
    if (existing.over && s.turn.played) Hub.send({ session_id: s.session_id, type: 'playback_done' });
    return;
  }
  if (answeredAlready(s, message)) return;
  const player = newPlayer(s, false, message.turn);
  player.whole(base64ToBytes(message.data || ''), message.format || message.mime_type || 'audio/mpeg');
  rememberAudio(s, player);
  noteBackground(s, player);
}

function noteBackground(s, player) {
  if (s.session_id === state.selected || player.state !== 'buffering' || player.notedBackground) return;
  player.notedBackground = true;
  s.unread = true;
  note('buffered', { session: s.session_id, turn: player.turn, kind: player.kind });
}

// The turn's kind is known from its words (a replay after a reconnect has none: a question).
function newPlayer(s, streaming, turn) {
  const player = Players.newPlayer(s.session_id, {
    streaming, turn, kind: s.turn.kind, onended: (error) => { turnHeard(player, { error }); pump(); },
  });
  return player;
}

function rememberAudio(s, player) {
  const last = [...s.transcript].reverse().find((e) => e.role === 'agent');
  Players.keepAudio(last, player.blob());
}

function onListening(s) {
  // Our answer waits in the outbox for the socket: this is the hub's replay; it will get it.
  if (Hub.hasQueued(s.session_id, 'audio')) { Turn.transcribing(s.turn); return; }
  // The hub asks again on a newer connection than the one our answer went out on: it never
  // got it (the socket died under it). Send the same recording again: nothing said is lost.
  if (s.lastAnswer && s.lastAnswer.message && s.lastAnswer.epoch < Hub.epoch()) {
    s.lastAnswer.epoch = Hub.epoch();
    Hub.send(s.lastAnswer.message);
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
  // A skipped question waits for the user's tap.
  s.autoStarted = recordingFor(s.session_id) || s.skippedTurn === s.turn.tag;
  if (state.muted) { answerMuted(s); return; }
  // A background session waits for the user; its tab says so.
  if (s.session_id !== state.selected) s.unread = true;
}

function onDone(s) {
  const player = Players.currentPlayer(s.session_id);
  if (player) {
    player.turnDone = true;
    // A question answered or withdrawn before it was heard is not played any more.
    if (player.state === 'buffering' && ASKS.has(player.kind)) {
      player.stop();
      note('dropped', { session: s.session_id, turn: player.turn, kind: player.kind });
    }
  }
  s.pendingListen = false;
  s.answered = false;
  s.lastAnswer = null;
  Turn.done(s.turn);
  if (!s.statusText.startsWith('Error:')) s.statusText = '';
  // The turn ended without us (cancelled, or another browser answered): drop an answer being recorded.
  cancelRecording(s.session_id, 'answer');
}

// A session that ends must not keep the player or the mic.
export function endSessionWork(id) {
  for (const player of Players.dropSession(id)) turnHeard(player, { how: 'session-ended' });
  forgetSession(id);
  if (state.playing === id) state.playing = null;
  cancelRecording(id);
  const s = state.sessions[id];
  if (s) { s.pendingListen = false; s.thinking = false; Turn.ended(s.turn); }
}
