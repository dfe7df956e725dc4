// Permission requests: an agent asks whether it may run a tool. Each pending request is a card in
// its session's view; the user's Allow / Allow for this session / Deny goes to the hub over REST.
// The hub's snapshots list what is pending (the truth after a reconnect); permission_resolved
// ends a request however it was answered (here, by voice, in the terminal, by the clock).
import { describeRequest } from './activity.js';
import { api } from './api.js';
import { callUser, requestLine } from './attention.js';
import { note } from './log.js';
import { addEntry, state, upsertSession, wasRemoved } from './sessions.js';
import { toast } from './toast.js';
import { render } from './view.js';

// Requests the hub decided: a snapshot made just before must not bring their card back.
const decided = new Set();

export function onPermissionRequest(message) {
  const request = message.request;
  if (!request || !request.request_id || decided.has(request.request_id) || wasRemoved(message.session_id)) return;
  const s = state.sessions[message.session_id] || upsertSession({ session_id: message.session_id, status: 'active' });
  if (!s || s.permissions.some((p) => p.request_id === request.request_id)) return;
  s.permissions.push({ ...request, sending: null });
  note('permission-request', { session_id: s.session_id, request_id: request.request_id, tool: request.tool });
  callUser(s, 'permission', requestLine(request));
}

export function onPermissionResolved(message) {
  const { session_id: id, request_id: requestId, decision, by } = message;
  note('permission-resolved', { session_id: id, request_id: requestId, decision, by });
  if (!requestId) return;
  decided.add(requestId);
  const s = state.sessions[id];
  if (s) settle(s, requestId, decision, by);
}

// A snapshot's `permissions`: what is pending now, nothing else (a reconnected page missed events).
export function syncPermissions(s, list) {
  if (!Array.isArray(list)) return;
  const known = new Map(s.permissions.map((p) => [p.request_id, p]));
  s.permissions = list
    .filter((r) => r && r.request_id && !decided.has(r.request_id))
    .map((r) => ({ ...r, sending: known.has(r.request_id) ? known.get(r.request_id).sending : null }));
}

// The user's answer. Buttons stay disabled while it is on its way.
export async function decide(sessionId, requestId, decision) {
  const s = state.sessions[sessionId];
  const request = s && s.permissions.find((p) => p.request_id === requestId);
  if (!request || request.sending) return;
  request.sending = decision;
  note('permission-decide', { session_id: sessionId, request_id: requestId, decision });
  render();
  try {
    await api('POST', `/api/sessions/${encodeURIComponent(sessionId)}/permissions/${encodeURIComponent(requestId)}`, { decision });
    note('permission-decided', { session_id: sessionId, request_id: requestId, decision, status: 200 });
    decided.add(requestId);
    settle(s, requestId, decision, 'user');
  } catch (error) {
    note('permission-decided', { session_id: sessionId, request_id: requestId, decision, status: error.status || 0 });
    if (error.status === 404 || error.status === 409) {
      // Answered already (voice, terminal, another page) or gone: the card just goes.
      decided.add(requestId);
      s.permissions = s.permissions.filter((p) => p.request_id !== requestId);
      toast(error.status === 409 ? 'That request was already answered.' : 'That request is no longer pending.', 'info');
    } else {
      request.sending = null;
      toast(`Could not send the answer: ${error.message}`);
    }
  }
  render();
}

// The request is over: its card goes, the transcript says how it ended (once).
function settle(s, requestId, decision, by) {
  const request = s.permissions.find((p) => p.request_id === requestId);
  if (!request) return;
  s.permissions = s.permissions.filter((p) => p !== request);
  addEntry(s, 'info', outcome(request, decision, by));
}

function outcome(request, decision, by) {
  const what = describeRequest(request).short;
  const how = by === 'voice' ? ' by voice' : '';
  switch (decision) {
    case 'allow': return `Allowed${how}: ${what}`;
    case 'allow_session': return `Allowed for this session${how}: ${what}`;
    case 'deny':
      if (by === 'timeout') return `Not answered in time: denied (${what})`;
      if (by === 'hub') return `Denied, the session ended: ${what}`;
      return `Denied${how}: ${what}`;
    case 'withdrawn': return `No longer asked (answered elsewhere): ${what}`;
    default: return `${decision || 'Answered'}: ${what}`;
  }
}
