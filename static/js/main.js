// The page's wiring: the hub connection and its messages, REST actions, controls, keyboard,
// the installed app's service worker, and the hook the browser tests read (window.clawmux).
import { api } from './api.js';
import { onActivity } from './attention.js';
import { HubConnection } from './connection.js';
import { endSessionWork, hasAudio, onSessionEvent } from './conversation.js';
import { cuesEnabled, setCuesEnabled, unlockCues } from './cues.js';
import { endWordOf } from './end-word.js';
import { canSkip, pump, replay, selectSession, setHandsFree, skip } from './floor.js';
import { useHub } from './hub-link.js';
import { log, note, origin as logOrigin } from './log.js';
import { answerRefused, dropRecording, endWordHeard, micHint, micMode, onMicTap, releaseMic, setMuted, streamRefused } from './mic.js';
import { bindNewSession, openNewSession } from './new-session.js';
import { askNotificationsOnce, bindNotifications } from './notify.js';
import { decide, onPermissionRequest, onPermissionResolved, syncPermissions } from './permissions.js';
import { bindPromptBox, markQueued, onPromptStatus, settleSending } from './prompts.js';
import { bindPushToTalk } from './push-to-talk.js';
import { removeSession, replaceSessions, selectedSession, setTranscript, state, upsertSession, wasRemoved } from './sessions.js';
import { toast } from './toast.js';
import { $, saveSetting } from './util.js';
import { redrawTranscript, render, setActions } from './view.js';

const BACKENDS_EVERY_MS = 15000;

const hub = new HubConnection({
  onmessage: handleMessage,
  onstate: (connection) => {
    state.connection = connection;
    if (connection === 'connected') { loadVoices(); loadBackends(); }
    render();
  },
});
useHub(hub);

function handleMessage(message) {
  switch (message.type) {
    case 'session_list': {
      const list = Array.isArray(message.sessions) ? message.sessions : [];
      for (const id of replaceSessions(list)) endSessionWork(id);
      for (const snapshot of list) applySnapshot(snapshot);
      redrawTranscript();
      break;
    }
    case 'session_status': {
      const s = upsertSession(message);
      if (s && s.status === 'dead') endSessionWork(s.session_id);
      if (s) { applySnapshot(message); settleCreating(s); }
      break;
    }
    case 'session_activity': {
      const s = state.sessions[message.session_id];
      if (s) onActivity(s, message.activity);
      break;
    }
    case 'permission_request': onPermissionRequest(message); break;
    case 'permission_resolved': onPermissionResolved(message); break;
    case 'prompt_status': onPromptStatus(message); break;
    case 'session_terminated':
      endSessionWork(message.session_id);
      if (removeSession(message.session_id) && state.creating && state.creating.session_id === message.session_id) {
        state.creating = null;
        toast('The new session ended before it was ready.');
      }
      break;
    case 'transcript': {
      const s = state.sessions[message.session_id];
      if (s && Array.isArray(message.entries)) {
        setTranscript(s, message.entries);
        if (s.session_id === state.selected) redrawTranscript();
      }
      break;
    }
    case 'error': onError(message); break;
    case 'recording_end_word': endWordHeard(message); break;
    case 'assistant_text': case 'user_text': case 'status':
    case 'audio': case 'audio_chunk': case 'listening': case 'done':
      onSessionEvent(message);
      break;
    default:
      console.warn('unknown message', message);
  }
  pump();
}

// What a snapshot says the agent does and which permission requests are pending: the truth.
function applySnapshot(snapshot) {
  const s = snapshot && state.sessions[snapshot.session_id];
  if (!s) return;
  if ('permissions' in snapshot) syncPermissions(s, snapshot.permissions);
  if ('activity' in snapshot) onActivity(s, snapshot.activity);
  if ('queued_prompts' in snapshot) markQueued(s, snapshot.queued_prompts);
}

function onError(message) {
  // A streamed recording the hub could not take: the page sends it whole, nobody needs to know.
  if (message.recording) { note('hub-error', { session: message.session_id || null, recording: message.recording, message: message.message }); streamRefused(message); return; }
  const s = message.session_id && state.sessions[message.session_id];
  note('hub-error', { session: message.session_id || null, message: message.message });
  toast(message.message || 'Error from the hub');
  settleSending();
  if (s && (s.answered || s.lastAnswer)) answerRefused(s);
}

// New Session stays "starting…" until its session is ready (or fails).
function settleCreating(s) {
  if (!state.creating || state.creating.session_id !== s.session_id || s.status === 'starting') return;
  if (s.status === 'needs_you') toast(`${s.label || s.session_id}: the agent asks something in its terminal; answer it below.`, 'info');
  state.creating = null;
  if (s.status === 'dead') toast(`Session ${s.label || s.session_id} failed to start.`);
}

// ---------- REST actions ----------

async function createSession(request = {}) {
  if (state.creating) return;
  state.creating = { session_id: null };
  render();
  try {
    const snapshot = await api('POST', '/api/sessions?wait=false', request);
    // session_status may have come first: it is newer than this answer's "starting".
    const s = upsertSession(snapshot, { keepStatus: true });
    if (s) {
      state.creating = s.status === 'starting' ? { session_id: s.session_id } : null;
      selectSession(s.session_id);
    } else {
      state.creating = null;
      if (snapshot && wasRemoved(snapshot.session_id)) toast('The new session ended before it was ready.');
    }
  } catch (error) {
    state.creating = null;
    toast(`Could not start a session: ${error.message}`);
  }
  pump();
}

// Keys for a dialog in the selected agent's terminal (the hub could not answer it).
async function sendKeys(keys) {
  const s = selectedSession();
  if (!s) return;
  try {
    await api('POST', `/api/sessions/${encodeURIComponent(s.session_id)}/keys`, { keys });
  } catch (error) {
    toast(`Could not send the keys: ${error.message}`);
  }
}

async function closeSession(id) {
  try {
    await api('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error.status !== 404) { toast(`Could not close the session: ${error.message}`); return; }
  }
  // session_terminated follows; removing now feels immediate (and drops a stale tab).
  endSessionWork(id);
  removeSession(id);
  pump();
}

async function setVoice(voice) {
  const s = selectedSession();
  if (!s || !voice) return;
  const previous = s.voice;
  s.voice = voice;
  try {
    const result = await api('PUT', `/api/sessions/${encodeURIComponent(s.session_id)}/voice`, { voice });
    if (result && result.voice) s.voice = result.voice;
  } catch (error) {
    s.voice = previous;
    toast(`Could not change the voice: ${error.message}`);
  }
  render();
}

async function setSpeed(value) {
  const s = selectedSession();
  const speed = Number(value);
  if (!s || !Number.isFinite(speed)) return;
  try {
    const result = await api('PUT', `/api/sessions/${encodeURIComponent(s.session_id)}/speed`, { speed });
    s.speed = result && typeof result.speed === 'number' ? result.speed : speed;
  } catch (error) {
    toast(`Could not change the speed: ${error.message}`);
  }
  render();
}

async function loadVoices() {
  try {
    const voices = await api('GET', '/api/voices');
    state.voices = Array.isArray(voices) ? voices : [];
  } catch (error) {
    toast(`Could not load voices: ${error.message}`);
  }
  render();
}

async function loadBackends() {
  try {
    const backends = await api('GET', '/api/backends');
    state.backends = Array.isArray(backends) ? backends : [];
  } catch { /* shown as stale; the connection indicator tells the rest */ }
  render();
}

// ---------- settings ----------

function toggleMode() {
  state.auto = !state.auto;
  saveSetting('clawmux.mode', state.auto ? 'auto' : 'manual');
  const s = selectedSession();
  if (s && state.auto) s.autoStarted = false; // switching to Auto answers a pending listen now
  pump();
}

function bindSettings() {
  $('vad').onchange = (e) => {
    state.vad.enabled = e.target.checked;
    saveSetting('clawmux.vad', state.vad.enabled ? '1' : '0');
    render();
  };
  const threshold = $('vad-threshold');
  threshold.value = String(state.vad.threshold);
  threshold.onchange = () => {
    const value = Number(threshold.value);
    if (value > 0 && value < 1) { state.vad.threshold = value; saveSetting('clawmux.vad.threshold', value); }
    threshold.value = String(state.vad.threshold);
  };
  const silence = $('vad-silence');
  silence.value = String(state.vad.silenceMs);
  silence.onchange = () => {
    const value = Math.round(Number(silence.value));
    if (value >= 300 && value <= 10000) { state.vad.silenceMs = value; saveSetting('clawmux.vad.silence', value); }
    silence.value = String(state.vad.silenceMs);
  };
  const cues = $('cues');
  cues.checked = cuesEnabled();
  cues.onchange = () => setCuesEnabled(cues.checked);
  const endWord = $('end-word');
  endWord.value = state.endWord;
  endWord.onchange = () => {
    state.endWord = endWordOf(endWord.value);
    saveSetting('clawmux.endword', state.endWord);
    endWord.value = state.endWord;
  };
  $('hands-free').onchange = (e) => {
    unlockCues();   // a gesture: audio may start from now on without one
    saveSetting('clawmux.handsfree', e.target.checked ? '1' : '0');
    setHandsFree(e.target.checked);
  };
  $('settings-toggle').onclick = () => {
    const panel = $('settings');
    panel.hidden = !panel.hidden;
    $('settings-toggle').setAttribute('aria-expanded', String(!panel.hidden));
  };
}

// ---------- wiring ----------

// Choosing a tab or starting a session are gestures: the moment to ask for notifications (once).
const chooseTab = (id) => { askNotificationsOnce(); selectSession(id); };
setActions({ select: chooseTab, close: closeSession, replay, hasAudio, micMode, micHint, decide, canSkip });
bindNotifications(selectSession);
$('new-session').onclick = () => { unlockCues(); askNotificationsOnce(); openNewSession(); };
bindNewSession(createSession);
for (const button of document.querySelectorAll('#attention .key')) {
  button.onclick = () => sendKeys([button.dataset.key]);
}
const pushToTalk = bindPushToTalk($('mic'), { press: onMicTap, release: releaseMic });
$('skip').onclick = skip;
bindPromptBox(render);
$('mute').onclick = () => {
  setMuted(!state.muted);
  saveSetting('clawmux.muted', state.muted ? '1' : '0');
  pump();
};
$('mode').onclick = toggleMode;
// A select keeps focus after a choice; give space back to the mic.
$('voice').onchange = (e) => { setVoice(e.target.value); e.target.blur(); };
$('speed').onchange = (e) => { setSpeed(e.target.value); e.target.blur(); };
bindSettings();
document.addEventListener('pointerdown', unlockCues, { once: true });

// Space = mic (held: push-to-talk), 1–9 = tabs; not while typing in a field. Enter still
// activates a focused button.
document.addEventListener('keydown', (e) => {
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
  if ($('new-session-dialog').open) return;
  // Typing in a field keeps its keys; a checkbox that kept focus after a click does not.
  const typing = ['SELECT', 'TEXTAREA'].includes(e.target.tagName)
    || (e.target.tagName === 'INPUT' && e.target.type !== 'checkbox');
  if (typing) return;
  if (e.code === 'Space') {
    e.preventDefault();
    pushToTalk.keydown();
  } else if (/^[1-9]$/.test(e.key)) {
    const id = state.order[Number(e.key) - 1];
    if (id) selectSession(id);
  }
});

document.addEventListener('keyup', (e) => { if (e.code === 'Space') pushToTalk.keyup(); });
window.addEventListener('pagehide', dropRecording);

setInterval(() => { if (state.connection === 'connected') loadBackends(); }, BACKENDS_EVERY_MS);

// The installed app's shell (sw.js): browsers allow workers only on https and localhost.
function registerWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' })
    .then((registration) => note('sw-registered', { scope: registration.scope }))
    .catch((error) => note('sw-failed', { error: String((error && error.message) || error) }));
}
window.addEventListener('load', registerWorker);

// For the browser tests: plain data (state, log) and the socket.
window.clawmux = { state, log, logOrigin, get ws() { return hub.socket; } };

render();
hub.connect();
