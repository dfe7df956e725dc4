// The play queue as the page shows it: who is heard now and who waits ("Sky · question",
// "Adam · report"), and Skip for what is heard now (or the recording that holds the floor).
import { state } from './sessions.js';
import { $ } from './util.js';

const NOW = new Set(['playing', 'announcing']);

export function renderQueue(canSkip) {
  const items = state.queue;
  const box = $('queue');
  box.hidden = !items.length && !canSkip;
  $('skip').disabled = !canSkip;
  // Drawn again only when something changed.
  const signature = JSON.stringify(items.map((i) => [i.session_id, i.label, i.kind, i.state]));
  if (box.dataset.signature === signature) return;
  box.dataset.signature = signature;
  $('play-queue').replaceChildren(...items.map((item) => {
    const li = document.createElement('li');
    li.className = 'queued' + (NOW.has(item.state) ? ' now' : '');
    li.dataset.sessionId = item.session_id;
    li.dataset.kind = item.kind;
    li.dataset.state = item.state;
    li.textContent = `${item.label} · ${item.kind}`;
    li.title = { announcing: 'its name is said', playing: 'speaking now', paused: 'paused (its tab is in the background)' }[item.state]
      || 'waits its turn';
    return li;
  }));
}
