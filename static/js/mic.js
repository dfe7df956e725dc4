// The microphone: a tap (or Space) answers the agent that asks, interrupts the one that speaks,
// or, when the agent asks nothing, records a prompt for it; holding records while held
// (push-to-talk.js). One recording at a time, for an `answer` (the hub waits for it) or a `prompt`
// (the hub transcribes it; "Adam, …" goes to Adam). The end word, when set, ends it too.
import { cue, unlockCues } from './cues.js';
import { endWordOf, watchEndWord } from './end-word.js';
import { ASKS, heardNow, interruptHeard, pump, stopReplay } from './floor.js';
import * as Hub from './hub-link.js';
import { note, wallNow } from './log.js';
import * as Players from './players.js';
import { Recorder } from './recorder.js';
import { resendWhole, sendAnswer, sendPrompt } from './recording-send.js';
import { RecordingUpload } from './recording-upload.js';
import { addEntry, selectedSession, state } from './sessions.js';
import { toast } from './toast.js';
import * as Turn from './turn-phase.js';
import { render, renderControls } from './view.js';

const SENT = new Set(['vad', 'tap', 'release', 'end-word', 'limit', 'ended']);
const END_WORD_SLICE_MS = 250;   // with an end word, the audio so far is at hand at each pause

let recorder = null;
let recordingTicker = null;

export const currentRecorder = () => recorder;
const endWord = () => endWordOf(state.endWord);

// A tap, Space, or the start of a hold. Returns the recording it started (push-to-talk stops it
// on release), or null.
export function onMicTap() {
  note('mic-tap', { at: Math.round(wallNow()) });
  unlockCues();
  if (recorder) {
    recorder.stop(recorder.phase === 'recording' ? 'tap' : 'cancel');
    render();
    return null;
  }
  const heard = heardNow();
  const s = (heard && state.sessions[heard.sessionId]) || selectedSession();
  if (!s) return null;
  if (state.muted) { toast('The mic is muted — unmute to answer.', 'info'); return null; }
  if (heard) {
    // The agent asks: the tap interrupts it and records the answer.
    if (ASKS.has(heard.kind) && !heard.turnDone && !s.turn.done && heard === Players.currentPlayer(s.session_id)) return bargeIn(s, heard);
    // Its turn wants no answer (a report, a goodbye, or it was answered): the tap only silences it.
    interruptHeard(heard, 'silenced');
    pump();
    return null;
  }
  stopReplay();
  if (s.pendingListen) return startRecording(s);
  // The agent asks nothing: what the user says is a new prompt for it.
  return startRecording(s, { purpose: 'prompt' });
}

// The hub heard the end word before the pause at `samples` (a streamed recording): it ends
// there; what was said after it is not part of this answer.
export function endWordHeard(message) {
  const rec = recorder;
  if (!rec || !rec.upload || rec.upload.id !== message.recording || rec.phase !== 'recording') return;
  note('end-word-heard', { session: rec.sessionId, samples: message.samples });
  rec.speechEnd = message.samples;
  rec.stop('end-word');
}

// Push-to-talk let go: the recording it started is sent now.
export function releaseMic(rec) {
  if (!rec || recorder !== rec) return;
  note('mic-released', { session: rec.sessionId, phase: rec.phase });
  if (rec.phase === 'recording') rec.stop('release');
  else if (rec.phase === 'starting') rec.releaseWanted = true;
}

// Tap while the agent asks: silence it now, tell the hub, and record the answer.
function bargeIn(s, player) {
  Hub.send({ session_id: s.session_id, type: 'interrupt', ...(player.turn ? { turn: player.turn } : {}) });
  note('interrupt-sent', { session: s.session_id });
  Turn.played(s.turn);
  s.pendingListen = true;
  Turn.listening(s.turn);
  s.autoStarted = true;
  // Recording first: the floor stays with this agent while its audio stops.
  const rec = startRecording(s);
  interruptHeard(player, 'barge-in');
  return rec;
}

export function startRecording(s, { purpose = 'answer', listenMs = 0 } = {}) {
  if (recorder) return null;
  const word = endWord();
  // A listening window needs to hear speech to end: its pause detection is always on.
  const vad = listenMs ? { ...state.vad, enabled: true } : state.vad;
  const rec = recorder = new Recorder(s.session_id, vad, { purpose, listenMs, timeslice: word ? END_WORD_SLICE_MS : 0 });
  state.recording = { session_id: s.session_id, phase: 'starting', purpose };
  rec.onfinish = (result) => finishRecording(rec, result);
  // Streamed while the user speaks (where the browser records PCM): the hub has it at the end.
  rec.onpcm = (pcm) => {
    if (!rec.upload) rec.upload = new RecordingUpload(rec.sessionId, rec.sampleRate);
    rec.upload.push(pcm);
  };
  rec.onsettle = (position) => { if (rec.upload) rec.upload.pause(position, endWord()); };
  watchEndWord(rec, word, s.voice);
  cue('listening', s.session_id);
  begin(rec);
  render();
  return rec;
}

async function begin(rec) {
  try {
    await rec.start();
  } catch (error) {
    if (recorder === rec) { recorder = null; state.recording = null; }
    toast(`Microphone unavailable: ${error.message || error.name}`);
    pump();
    return;
  }
  if (recorder !== rec || rec.phase !== 'recording') return;
  state.recording.phase = 'recording';
  note('record-start', { session: rec.sessionId, purpose: rec.purpose, listen_ms: rec.listenMs || undefined });
  if (rec.releaseWanted) { rec.stop('release'); return; }
  clearInterval(recordingTicker);
  recordingTicker = setInterval(renderControls, 500);
  render();
}

async function finishRecording(rec, { blob, mimeType, reason }) {
  clearInterval(recordingTicker);
  note('record-stop', { session: rec.sessionId, reason, purpose: rec.purpose, decided: Math.round(rec.stoppedAt || 0), at: Math.round(wallNow()) });
  if (recorder === rec) { recorder = null; state.recording = null; }
  const s = state.sessions[rec.sessionId];
  try {
    if (s && SENT.has(reason)) {
      // Empty data means "muted" to the hub: never send an empty recording by accident.
      if (!blob.size) {
        toast('The recording was empty; tap the mic to try again.');
        if (rec.purpose === 'answer') s.autoStarted = false;
      } else if (rec.purpose === 'prompt') {
        await sendPrompt(s, rec, blob, mimeType);
      } else {
        await sendAnswer(s, rec, blob, mimeType);
      }
    } else if (reason === 'silence') {
      note('hands-free-listen-end', { session: rec.sessionId, heard: false });
    }
    if (rec.upload && !(s && SENT.has(reason) && blob.size)) rec.upload.cancel();
  } catch (error) {
    toast(`Could not send the recording: ${error.message}`);
  }
  pump();
}

// The hub could not take a streamed recording (an `error` naming it): still recording, it goes
// whole at its end; already ended, it goes whole now (recording-send.js).
export function streamRefused(message) {
  if (recorder && recorder.upload && recorder.upload.id === message.recording) {
    recorder.upload.failed = true;
    return;
  }
  resendWhole(message.recording);
}

// The page is closing: closing is not "send". What is being recorded is dropped, never sent
// half-said; the hub asks again when a page comes back.
export function dropRecording() {
  if (recorder) recorder.stop('cancel');
}

// The recording of a session stops unsent (the session ended; `answer`: its turn ended without it).
export function cancelRecording(id, purpose = null) {
  if (recorder && recorder.sessionId === id && (!purpose || recorder.purpose === purpose)) recorder.stop('cancel');
}

// Muted: answer at once with empty data; the agent receives "(session muted)".
export function answerMuted(s) {
  Hub.send({ session_id: s.session_id, type: 'audio', data: '', mime_type: 'audio/webm' });
  s.pendingListen = false;
  s.answered = true;
  s.answeredAt = Date.now();
  Turn.transcribing(s.turn);
  note('muted-answer', { session: s.session_id });
  addEntry(s, 'info', 'Mic muted — answered without recording.');
}

export function setMuted(muted) {
  state.muted = muted;
  if (!muted) return;
  if (recorder) {
    const s = state.sessions[recorder.sessionId];
    const answering = recorder.purpose === 'answer';
    recorder.stop('muted');
    if (s && answering) answerMuted(s);
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

// ---------- what the mic button shows ----------

export function micMode(s) {
  if (state.recording) return state.recording.phase === 'recording' ? 'recording' : 'busy';
  if (state.playing) return 'playing';   // a tap is about what is heard, whichever tab shows
  if (s && s.pendingListen && !state.muted) return 'listening';
  return 'idle';
}

export function micHint(s, mode) {
  if (!s) return '';
  const label = (id) => (state.sessions[id] || {}).label || id;
  if (mode === 'recording') {
    const other = recorder.sessionId !== s.session_id ? ` (${label(recorder.sessionId)})` : '';
    const what = recorder.purpose === 'answer' ? 'Recording' : recorder.listenMs ? 'Listening for a prompt' : 'Recording a prompt';
    const word = endWord() ? ` or say “${endWord()}”` : '';
    const how = recorder.vad.enabled ? `stops when you pause${word}, or tap to send` : `tap to send${word}`;
    return `${what} ${recorder.seconds}s${other} — ${how}`;
  }
  if (mode === 'busy') return 'Opening the microphone…';
  if (mode === 'playing') {
    const heard = heardNow();
    const other = heard && heard.sessionId !== s.session_id ? ` (${label(heard.sessionId)})` : '';
    return heard && ASKS.has(heard.kind) && !heard.turnDone ? `Speaking${other} — tap to interrupt and answer` : `Reading out${other} — tap to stop`;
  }
  // Auto (or hands-free) records by itself, unless this question is left to the user (skipped, refused).
  if (mode === 'listening') {
    return (state.auto || state.handsFree) && !s.autoStarted ? 'Listening…' : 'The agent is listening — tap (or space) to answer';
  }
  if (state.muted) return 'Muted — the agent gets “(session muted)”';
  if (s.thinking) return 'The agent is thinking…';
  if (s.status === 'active') return 'The agent is working… — tap (or hold space) to add a prompt';
  if (s.status === 'ready') return 'Tap the mic (or hold space) to tell the agent something';
  return 'Waiting for the agent';
}
