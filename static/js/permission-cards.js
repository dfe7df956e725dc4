// The selected session's pending permission requests as cards above its transcript:
// "<Label> wants to run `npm test`" with Allow, Allow for this session, Deny.
import { describeRequest } from './activity.js';
import { $ } from './util.js';

export function renderPermissionCards(s, decide) {
  const box = $('permissions');
  const pending = s ? s.permissions : [];
  box.hidden = !pending.length;
  // Drawn again only when something changed: a button under the finger must stay the same one.
  const signature = JSON.stringify([s && s.session_id, s && s.label, pending.map((p) => [p.request_id, p.sending])]);
  if (box.dataset.signature === signature) return;
  box.dataset.signature = signature;
  box.replaceChildren(...pending.map((request) => card(s, request, decide)));
}

function card(s, request, decide) {
  const el = document.createElement('div');
  el.className = 'permission-card';
  el.dataset.requestId = request.request_id;
  el.dataset.sessionId = s.session_id;
  el.setAttribute('role', 'alertdialog');

  const { action, subject } = describeRequest(request);
  const text = document.createElement('div');
  text.className = 'permission-text';
  const who = document.createElement('strong');
  who.textContent = s.label || s.session_id;
  text.append(who, ` wants to ${action}`);
  if (subject) {
    const code = document.createElement('code');
    code.textContent = subject;
    text.append(' ', code);
  }
  el.setAttribute('aria-label', text.textContent);

  const buttons = document.createElement('div');
  buttons.className = 'permission-buttons';
  const choices = [['allow', 'Allow', 'primary'], ['deny', 'Deny', 'danger']];
  if (request.can_allow_session) choices.splice(1, 0, ['allow_session', 'Allow for this session', '']);
  for (const [decision, title, kind] of choices) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `btn ${kind}`.trim();
    button.dataset.decision = decision;
    button.textContent = request.sending === decision ? `${title}…` : title;
    button.disabled = Boolean(request.sending);
    button.onclick = () => decide(s.session_id, request.request_id, decision);
    buttons.append(button);
  }
  el.append(text, buttons);
  return el;
}
