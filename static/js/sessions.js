// The page's model: sessions as the hub describes them, plus what this page knows of each
// (transcript, unread, waiting to listen). Plain data only: tests read it as window.clawmux.state.
import { newTurn } from './turn-phase.js';
import { loadSetting } from './util.js';
import { VAD_DEFAULTS } from './vad.js';

export const state = {
  connection: 'connecting',      // connecting | connected | reconnecting
  sessions: {},                  // session_id -> session
  order: [],                     // tab order
  selected: null,                // the session in front
  voices: [],
  backends: [],
  muted: loadSetting('clawmux.muted') === '1',
  auto: loadSetting('clawmux.mode') !== 'manual',
  vad: {
    enabled: loadSetting('clawmux.vad', '1') === '1',
    threshold: Number(loadSetting('clawmux.vad.threshold')) || VAD_DEFAULTS.threshold,
    silenceMs: Number(loadSetting('clawmux.vad.silence')) || VAD_DEFAULTS.silenceMs,
  },
  handsFree: loadSetting('clawmux.handsfree') === '1',  // the queue plays (and records) without clicks
  endWord: loadSetting('clawmux.endword', ''),            // said last (e.g. "over"), it sends the recording at once; '' is off (each pause costs a quick transcription)
  creating: null,                // {session_id} while New Session waits for "ready"
  playing: null,                 // session_id whose audio (or name, hands-free) plays: one at a time
  recording: null,               // {session_id, phase, purpose: answer|prompt}
  queue: [],                     // what waits to be heard, in order: {session_id, label, kind, turn, state}
};

// A session terminated here must not come back with a late event.
const removed = new Set();

const HUB_FIELDS = ['session_id', 'status', 'label', 'voice', 'speed', 'terminal', 'mcp_connected', 'work_dir',
  'agent', 'agent_label', 'cwd', 'project', 'host', 'detail', 'screen'];

function blankSession(id) {
  return {
    session_id: id, status: 'starting', label: '', voice: '', speed: 1, terminal: '',
    transcript: [],          // {role: agent|user|info|error, text, at}; a prompt's also promptId, promptState
    statusText: '',
    unread: false,
    pendingListen: false,    // the hub waits for this session's answer
    autoStarted: false,      // Auto mode already started a recording for this listening
    answered: false,         // an answer went out; a stale "listening" is ignored until the turn ends
    answeredAt: 0,           // when (the floor is held until the turn ends, not forever)
    skippedTurn: null,       // the turn tag of a question the user skipped: not recorded by itself
    thinking: false,         // between the user's answer and the agent's next words
    turn: newTurn(),         // the current converse turn: tag, phase, played, done (turn-phase.js)
    activity: null,          // what the agent does, from the hub: {state, tool, detail, since}
    attention: null,         // what it needed while in the background: permission|question|needs_you|finished
    permissions: [],         // pending permission requests (the hub's objects, plus `sending`)
  };
}

export const selectedSession = () => state.sessions[state.selected] || null;
export const wasRemoved = (id) => removed.has(id);

// Merges hub fields into a session, creating its tab when it is new.
export function upsertSession(fields, { keepStatus = false } = {}) {
  const id = fields.session_id;
  if (!id || removed.has(id)) return null;
  let s = state.sessions[id];
  const existed = Boolean(s);
  if (!s) {
    s = state.sessions[id] = blankSession(id);
    state.order.push(id);
    if (!state.selected) state.selected = id;
  }
  // What needed the user is gone once the hub no longer says so.
  if ('status' in fields && !('detail' in fields)) { delete s.detail; delete s.screen; }
  for (const key of HUB_FIELDS) {
    if (!(key in fields)) continue;
    if (key === 'status' && keepStatus && existed) continue;
    s[key] = fields[key];
  }
  return s;
}

// session_list: the hub's truth. Sessions that still exist keep what this page knows of them.
export function replaceSessions(list) {
  const old = state.sessions;
  state.sessions = {};
  state.order = [];
  for (const snapshot of list) {
    const previous = old[snapshot.session_id];
    if (previous) {
      state.sessions[snapshot.session_id] = previous;
      state.order.push(snapshot.session_id);
    }
    upsertSession(snapshot);
  }
  const gone = Object.keys(old).filter((id) => !state.sessions[id]);
  if (!state.sessions[state.selected]) {
    state.selected = state.order[0] || null;
    if (state.selected) state.sessions[state.selected].attention = null;
  }
  if (state.creating && state.creating.session_id && !state.sessions[state.creating.session_id]) state.creating = null;
  return gone;
}

export function removeSession(id) {
  if (!state.sessions[id]) return false;
  removed.add(id);
  delete state.sessions[id];
  const index = state.order.indexOf(id);
  state.order.splice(index, 1);
  if (state.selected === id) {
    state.selected = state.order[Math.min(index, state.order.length - 1)] || null;
    if (state.selected) Object.assign(state.sessions[state.selected], { unread: false, attention: null });
  }
  return true;
}

export function addEntry(s, role, text) {
  const entry = { role, text: String(text ?? ''), at: Date.now() };
  s.transcript.push(entry);
  return entry;
}

// The hub's stored transcript (replayed after hello) is the truth: a reloaded or reconnected
// page shows every turn, from both runs of a restarted hub. Prompts keep what became of them.
export function setTranscript(s, entries) {
  const prompts = s.transcript.filter((e) => e.promptId);
  s.transcript = entries.map((e) => ({
    role: e.role === 'assistant' ? 'agent' : 'user',
    text: String(e.text ?? ''),
    at: typeof e.time === 'number' ? e.time * 1000 : Date.now(),
  }));
  for (const prompt of prompts) {
    const entry = s.transcript.find((e) => e.role === 'user' && !e.promptId && e.text === prompt.text);
    if (entry) Object.assign(entry, { promptId: prompt.promptId, promptState: prompt.promptState });
  }
}
