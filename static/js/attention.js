// Which agents need the user, and telling the user so: a badge on a background tab (until it is
// selected), a sound for any session, a browser notification while the page is hidden.
// Needs: "permission", "question" (a converse asks), "needs_you" (a terminal dialog), "finished".
import { describeRequest } from './activity.js';
import { cue } from './cues.js';
import { notify } from './notify.js';
import { state } from './sessions.js';

const NEED_OF_STATE = { needs_permission: 'permission', asking: 'question', needs_you: 'needs_you' };
// Before these, "idle" is no news: nothing was done that could have finished.
const NOT_WORK = new Set(['idle', 'starting', 'dead']);
// The hub may say one thing twice (a request and its activity): one sound, one notification.
const REPEAT_MS = 3000;
const lastAlert = new Map();   // session_id -> {need, at}

const BADGES = {
  permission: ['⚠', 'needs permission'],
  question: ['?', 'asks you something'],
  needs_you: ['!', 'needs you in its terminal'],
  finished: ['✓', 'finished'],
};

const label = (s) => s.label || s.session_id;

// A session's activity from the hub (session_activity, or a snapshot's `activity`).
export function onActivity(s, activity) {
  if (!activity || typeof activity !== 'object' || !activity.state) return;
  const previous = s.activity ? s.activity.state : null;
  s.activity = activity;
  if (previous === activity.state) return;
  const need = NEED_OF_STATE[activity.state]
    || (activity.state === 'idle' && previous && !NOT_WORK.has(previous) ? 'finished' : null);
  if (!need) {
    // What needed the user is over (answered elsewhere, the agent moved on); "finished" waits to be seen.
    if (s.attention && s.attention !== 'finished') s.attention = null;
    return;
  }
  // First news of this session (page opened, reconnected): flag it, but no sound for the past.
  if (previous === null) { flag(s, need); return; }
  callUser(s, need, bodyFor(s, need, activity));
}

// Something the user must see: badge, sound, and (page hidden) a notification.
export function callUser(s, need, body) {
  flag(s, need);
  const last = lastAlert.get(s.session_id);
  const now = Date.now();
  if (last && last.need === need && now - last.at < REPEAT_MS) return;
  lastAlert.set(s.session_id, { need, at: now });
  // A permission request is spoken as a question: its own sound was enough.
  if (need === 'question' && s.permissions.length) return;
  // The front session's question is heard anyway: "listening" sounds when Auto mode records.
  // Hands-free, every question is heard in its turn: no sound over the voice that speaks now.
  const heard = need === 'question' && ((s.session_id === state.selected && state.auto) || state.handsFree) && !state.muted;
  if (!heard) cue(need, s.session_id);
  notify(s.session_id, `${label(s)} ${BADGES[need][1]}`, body);
}

function flag(s, need) {
  if (s.session_id !== state.selected) s.attention = need;
}

function bodyFor(s, need, activity) {
  if (need === 'permission' && s.permissions.length) return requestLine(s.permissions[s.permissions.length - 1]);
  if (need === 'needs_you' || need === 'permission') return activity.detail || 'Open ClawMux to answer.';
  if (need === 'question') return 'Open ClawMux to answer.';
  const last = [...s.transcript].reverse().find((e) => e.role === 'agent');
  return last ? last.text.slice(0, 160) : 'Ready for a new task.';
}

export function requestLine(request) {
  const { action, subject } = describeRequest(request);
  return `wants to ${action} ${subject}`.trim();
}

// The badge a tab shows: a pending permission first, else what the session needed.
export function badgeOf(s) {
  if (s.session_id === state.selected) return null;
  const need = s.permissions.length ? 'permission' : s.attention;
  return need ? { need, icon: BADGES[need][0], title: `${label(s)} ${BADGES[need][1]}` } : null;
}
