// Prompts: what the user tells an agent outside its questions, typed in the box under the
// transcript (REST) or said (the mic, when the agent asks nothing). Each is a user bubble that
// shows what became of it (prompt_status): queued until the agent's turn ends, delivered (typed
// into it), answered (the agent was asking: it was the answer), or lost (the agent ended first;
// the hub's transcript keeps the text).
import { api } from './api.js';
import { note } from './log.js';
import { addEntry, selectedSession, state } from './sessions.js';
import { toast } from './toast.js';
import { $ } from './util.js';

export const SENDING_PROMPT = 'Sending your prompt…';
// A later word never goes back to an earlier one (the REST answer may come after the event).
const RANK = { queued: 0, delivered: 1, answered: 1, lost: 2 };
let recordedFor = null;   // the session a spoken prompt was recorded for, until the hub says where it went

export async function sendPrompt(s, text) {
  const trimmed = String(text || '').trim();
  if (!s || !trimmed) return false;
  note('prompt-send', { session: s.session_id, chars: trimmed.length });
  try {
    const result = await api('POST', `/api/sessions/${encodeURIComponent(s.session_id)}/prompt`, { text: trimmed });
    note('prompt-sent', { session: s.session_id, prompt_id: result && result.prompt_id, state: result && result.state });
    if (result && result.prompt_id) {
      applyStatus({ session_id: s.session_id, prompt_id: result.prompt_id, text: trimmed, state: result.state });
    }
    return true;
  } catch (error) {
    note('prompt-refused', { session: s.session_id, status: error.status || 0 });
    toast(`Could not send the prompt: ${error.message}`);
    return false;
  }
}

// A spoken prompt went to the hub, to be transcribed (and maybe routed: "Adam, …" goes to Adam).
export function promptRecorded(s) {
  recordedFor = s.session_id;
  s.statusText = SENDING_PROMPT;
}

// prompt_status from the hub.
export function onPromptStatus(message) {
  note('prompt-status', { session: message.session_id, prompt_id: message.prompt_id, state: message.state });
  const to = state.sessions[message.session_id];
  if (recordedFor && to && message.session_id !== recordedFor) toast(`Sent to ${to.label || to.session_id}: “${message.text}”`, 'info');
  recordedFor = null;
  settleSending();
  applyStatus(message);
}

function applyStatus({ session_id: id, prompt_id: promptId, text, at, state: status }) {
  const s = state.sessions[id];
  if (!s || !promptId) return;
  let entry = s.transcript.find((e) => e.promptId === promptId);
  if (!entry) {
    entry = addEntry(s, 'user', text);
    entry.promptId = promptId;
    if (typeof at === 'number') entry.at = at * 1000;
  }
  if (entry.promptState && (RANK[status] ?? 0) < (RANK[entry.promptState] ?? 0)) return;
  entry.promptState = status;
  // The hub also says the answer as user_text: that is this bubble, not another.
  if (status === 'answered') entry.awaitsEcho = true;
  if (status === 'lost' && id !== state.selected) s.unread = true;
}

// user_text that repeats a typed answer's bubble.
export function echoed(s, text) {
  const entry = s.transcript.find((e) => e.awaitsEcho && e.text === text);
  if (!entry) return false;
  entry.awaitsEcho = false;
  return true;
}

// A snapshot's queued_prompts: still waiting for the agent's turn to end (a reloaded page learns
// it here; the transcript's replay brings the same text as a plain user line).
export function markQueued(s, list) {
  if (!Array.isArray(list)) return;
  for (const prompt of list) {
    if (!prompt || !prompt.prompt_id) continue;
    const known = s.transcript.some((e) => e.promptId === prompt.prompt_id);
    const plain = !known && [...s.transcript].reverse().find((e) => e.role === 'user' && !e.promptId && e.text === prompt.text);
    if (plain) plain.promptId = prompt.prompt_id;
    applyStatus({ ...prompt, session_id: s.session_id, state: 'queued' });
  }
}

// A recorded prompt was taken (or refused): "Sending your prompt…" goes.
export function settleSending() {
  recordedFor = null;
  for (const id of state.order) {
    const s = state.sessions[id];
    if (s.statusText === SENDING_PROMPT) s.statusText = '';
  }
}

// What a prompt's bubble says under it.
export function promptStateText(entry) {
  switch (entry.promptState) {
    case 'queued': return 'queued — the agent gets it when its turn ends';
    case 'delivered': return 'delivered';
    case 'answered': return 'answered its question';
    case 'lost': return 'not delivered: the agent ended first — your text is kept in the transcript';
    default: return '';
  }
}

// The box under the transcript: Enter (or Send) sends it to the selected session; empty does nothing.
export function bindPromptBox(onSent) {
  const form = $('prompt-form');
  const input = $('prompt-text');
  let sending = false;
  form.onsubmit = async (e) => {
    e.preventDefault();
    const s = selectedSession();
    if (sending || !s || !input.value.trim()) return;
    sending = true;
    const text = input.value;
    const sent = await sendPrompt(s, text);
    sending = false;
    // Kept when it failed, to send again; replaced only if the user has not typed meanwhile.
    if (sent && input.value === text) input.value = '';
    onSent();
  };
}
