// New Session: the user picks the machine (this one, or a host of the config's `hosts:`), the
// agent, the project folder and the voice. Folders come from the hub, for the chosen machine
// (the config's `projects:`, recently used ones, Claude Code's known projects) or are typed;
// picking one is the user's decision to trust it, and the dialog says so.
import { api } from './api.js';
import { state } from './sessions.js';
import { $, voiceName } from './util.js';

const SCRATCH = '';
const OTHER = '__other__';
const HERE = '';
let starter = null;   // called with {agent, cwd, voice, host}
let agentsReport = null;
let folderRequest = 0;   // the latest folder list asked for; older answers are dropped

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
  const [agents, hosts] = await Promise.all([
    api('GET', '/api/agents').catch(() => null),
    api('GET', '/api/hosts').catch(() => null),
  ]);
  agentsReport = agents;
  const hostList = Array.isArray(hosts) ? hosts : [];
  const hostSelect = $('ns-host');
  // A host that is not connected is shown with ssh's reason, and cannot be picked.
  hostSelect.replaceChildren(option(HERE, 'This machine'), ...hostList.map((h) => option(h.name,
    h.status === 'connected' ? h.name : `${h.name} — ${h.status}${h.last_error ? `: ${h.last_error}` : ''}`,
    { disabled: h.status !== 'connected' })));
  hostSelect.value = HERE;
  $('ns-host-row').hidden = hostList.length === 0;

  const voiceSelect = $('ns-voice');
  voiceSelect.replaceChildren(option('', 'A voice no other session uses'),
    ...state.voices.map((v) => option(v.id, voiceName(v))));
  await fillForHost(HERE);
}

// The agents and folders of the chosen machine. Whether an agent is installed is known only
// here; on a host the hub finds out when it starts one (and says so if it is missing).
async function fillForHost(host) {
  const agentSelect = $('ns-agent');
  const agents = agentsReport;
  const list = (agents && Array.isArray(agents.agents)) ? agents.agents : [];
  const installed = (a) => host !== HERE || a.available;
  agentSelect.replaceChildren(...list.map((a) => option(a.id,
    installed(a) ? a.label : `${a.label} — not installed (${a.command})`, { disabled: !installed(a) })));
  const preferred = list.find((a) => a.id === (agents && agents.default) && installed(a)) || list.find(installed);
  if (preferred) agentSelect.value = preferred.id;

  const folderSelect = $('ns-folder');
  const request = ++folderRequest;
  // Nothing can start while the folders load: the choice would be made for a list not shown.
  $('new-session-start').disabled = true;
  folderSelect.replaceChildren(option('', 'Loading folders…', { disabled: true }));
  syncFolder();
  let projects = null;
  let problem = '';
  try {
    projects = await api('GET', host === HERE ? '/api/projects' : `/api/projects?host=${encodeURIComponent(host)}`);
  } catch (error) {
    problem = error.message;
  }
  if (request !== folderRequest) return;   // the user picked another machine meanwhile
  $('new-session-start').disabled = false;
  $('ns-folder-error').textContent = problem ? `Could not list the folders: ${problem}` : '';
  $('ns-folder-error').hidden = !problem;
  const entries = (projects && Array.isArray(projects.projects)) ? projects.projects.filter((p) => p.exists) : [];
  const bySource = (source) => entries.filter((p) => p.source === source).map((p) => option(p.path, `${p.name} — ${p.path}`));
  const groups = [
    ['Projects', bySource('config')], ['Recent', bySource('recent')], ['Claude Code projects', bySource('claude')],
  ].filter(([, options]) => options.length).map(([label, options]) => group(label, options));
  folderSelect.replaceChildren(option(SCRATCH, 'No folder (an empty scratch folder)'), ...groups, option(OTHER, 'Another folder…'));
  folderSelect.value = entries.length ? entries[0].path : SCRATCH;
  syncFolder();
}

function syncFolder() {
  const other = $('ns-folder').value === OTHER;
  $('ns-folder-path').placeholder = $('ns-host').value
    ? `/absolute/path (or ~/…) on ${$('ns-host').value}` : '/absolute/path/to/your/project';
  $('ns-folder-path').hidden = !other;
  $('ns-trust').hidden = $('ns-folder').value === SCRATCH;
  if (other) $('ns-folder-path').focus();
}

function chosen() {
  const folder = $('ns-folder').value;
  const cwd = folder === OTHER ? $('ns-folder-path').value.trim() : folder;
  const request = { agent: $('ns-agent').value || undefined, voice: $('ns-voice').value || undefined };
  if (cwd) request.cwd = cwd;
  if ($('ns-host').value) request.host = $('ns-host').value;
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
  $('ns-host').onchange = () => fillForHost($('ns-host').value);
  $('ns-cancel').onclick = () => $('new-session-dialog').close();
  $('new-session-form').onsubmit = (e) => {
    e.preventDefault();
    const request = chosen();
    if ($('ns-folder').value === OTHER && !request.cwd) { $('ns-folder-path').focus(); return; }
    $('new-session-dialog').close();
    starter(request);
  };
}
