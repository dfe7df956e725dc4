// New Session: the user picks the agent, the project folder and the voice. Folders come from
// the hub (the config's `projects:`, recently used ones, Claude Code's known projects) or are
// typed; picking one is the user's decision to trust it, and the dialog says so.
import { api } from './api.js';
import { state } from './sessions.js';
import { $, voiceName } from './util.js';

const SCRATCH = '';
const OTHER = '__other__';
let starter = null;   // called with {agent, cwd, voice}

function option(value, text, { disabled = false } = {}) {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = text;
  el.disabled = disabled;
  return el;
}

function group(label, options) {
  const el = document.createElement('optgroup');
  el.label = label;
  el.append(...options);
  return el;
}

async function fill() {
  const [agents, projects] = await Promise.all([
    api('GET', '/api/agents').catch(() => null),
    api('GET', '/api/projects').catch(() => null),
  ]);
  const agentSelect = $('ns-agent');
  const list = (agents && Array.isArray(agents.agents)) ? agents.agents : [];
  agentSelect.replaceChildren(...list.map((a) => option(a.id,
    a.available ? a.label : `${a.label} — not installed (${a.command})`, { disabled: !a.available })));
  const preferred = list.find((a) => a.id === (agents && agents.default) && a.available) || list.find((a) => a.available);
  if (preferred) agentSelect.value = preferred.id;

  const folderSelect = $('ns-folder');
  const entries = (projects && Array.isArray(projects.projects)) ? projects.projects.filter((p) => p.exists) : [];
  const bySource = (source) => entries.filter((p) => p.source === source).map((p) => option(p.path, `${p.name} — ${p.path}`));
  const groups = [
    ['Projects', bySource('config')], ['Recent', bySource('recent')], ['Claude Code projects', bySource('claude')],
  ].filter(([, options]) => options.length).map(([label, options]) => group(label, options));
  folderSelect.replaceChildren(option(SCRATCH, 'No folder (an empty scratch folder)'), ...groups, option(OTHER, 'Another folder…'));
  folderSelect.value = entries.length ? entries[0].path : SCRATCH;

  const voiceSelect = $('ns-voice');
  voiceSelect.replaceChildren(option('', 'A voice no other session uses'),
    ...state.voices.map((v) => option(v.id, voiceName(v))));
  syncFolder();
}

function syncFolder() {
  const other = $('ns-folder').value === OTHER;
  $('ns-folder-path').hidden = !other;
  $('ns-trust').hidden = $('ns-folder').value === SCRATCH;
  if (other) $('ns-folder-path').focus();
}

function chosen() {
  const folder = $('ns-folder').value;
  const cwd = folder === OTHER ? $('ns-folder-path').value.trim() : folder;
  const request = { agent: $('ns-agent').value || undefined, voice: $('ns-voice').value || undefined };
  if (cwd) request.cwd = cwd;
  return request;
}

export async function openNewSession() {
  const dialog = $('new-session-dialog');
  if (dialog.open) return;
  await fill();
  dialog.showModal();
  $('new-session-start').focus();
}

export function bindNewSession(start) {
  starter = start;
  $('ns-folder').onchange = syncFolder;
  $('ns-cancel').onclick = () => $('new-session-dialog').close();
  $('new-session-form').onsubmit = (e) => {
    e.preventDefault();
    const request = chosen();
    if ($('ns-folder').value === OTHER && !request.cwd) { $('ns-folder-path').focus(); return; }
    $('new-session-dialog').close();
    starter(request);
  };
}
