// Drawing the page from the model. Nothing here changes state; user actions go to `actions`.
import { describeActivity } from './activity.js';
import { badgeOf } from './attention.js';
import { renderPermissionCards } from './permission-cards.js';
import { promptStateText } from './prompts.js';
import { renderQueue } from './queue-view.js';
import { state, selectedSession } from './sessions.js';
import { $, formatTime, voiceName } from './util.js';

let actions = null;          // {select, close, replay, hasAudio, micMode, micHint, decide, canSkip}
const transcriptView = { sessionId: null, count: 0 };
let scrolledToTab = null;

export function setActions(handlers) { actions = handlers; }

// After the transcript was replaced (replay from the hub), draw it from scratch.
export function redrawTranscript() { transcriptView.sessionId = null; }

export function render() {
  renderConnection();
  renderNewSession();
  renderTabs();
  renderSessionInfo();
  renderPermissionCards(selectedSession(), actions.decide);
  renderTranscript();
  renderStatus();
  renderQueue(actions.canSkip());
  renderControls();
  renderVoices();
  renderBackends();
}

function renderConnection() {
  const conn = $('conn');
  conn.dataset.state = state.connection;
  $('conn-text').textContent = { connected: 'connected', reconnecting: 'reconnecting…' }[state.connection] || 'connecting…';
}

function renderNewSession() {
  const button = $('new-session');
  button.disabled = Boolean(state.creating);
  button.textContent = state.creating ? 'Starting…' : '+ New Session';
}

function renderTabs() {
  const tabs = $('tabs');
  tabs.replaceChildren(...state.order.map((id, index) => tabElement(state.sessions[id], index)));
  // Bring the selected tab into view only when the selection changes.
  const current = tabs.querySelector('.selected');
  if (current && scrolledToTab !== state.selected && current.scrollIntoView) {
    current.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  scrolledToTab = state.selected;
}

function tabElement(s, index) {
  const tab = document.createElement('div');
  const need = badgeOf(s);
  const doing = describeActivity(s.activity);
  tab.className = 'tab' + (s.session_id === state.selected ? ' selected' : '') + (s.unread ? ' unread' : '') + (need ? ' flagged' : '');
  tab.setAttribute('role', 'tab');
  tab.setAttribute('aria-selected', String(s.session_id === state.selected));
  tab.tabIndex = 0;
  tab.title = `${s.session_id} (${s.status === 'needs_you' ? 'needs you' : s.status})`
    + (doing ? ` · ${doing.long}` : '') + (need ? ` · ${need.title}` : '')
    + (s.agent_label ? ` · ${s.agent_label}` : '') + (s.host ? ` · on ${s.host}` : '') + (s.cwd ? ` · ${s.cwd}` : '') + (index < 9 ? ` — key ${index + 1}` : '');
  tab.dataset.sessionId = s.session_id;
  if (need) tab.dataset.attention = need.need;

  const dot = document.createElement('span');
  dot.className = 'status-dot ' + s.status;
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = s.label || s.session_id;
  // Name over what the agent does now.
  const names = document.createElement('span');
  names.className = 'names';
  names.append(label);
  if (doing) names.append(activityElement('activity', doing, doing.short));
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = need ? need.icon : s.pendingListen ? '🎤' : '!';
  const close = document.createElement('button');
  close.className = 'close';
  close.type = 'button';
  close.textContent = '×';
  close.title = 'Close session';
  close.setAttribute('aria-label', `Close ${label.textContent}`);
  close.onclick = (e) => { e.stopPropagation(); actions.close(s.session_id); };

  tab.onclick = () => actions.select(s.session_id);
  tab.onkeydown = (e) => { if (e.key === 'Enter') actions.select(s.session_id); };
  tab.append(dot, names, badge, close);
  return tab;
}

function activityElement(className, doing, text) {
  const el = document.createElement('span');
  el.className = className;
  el.dataset.state = doing.state;
  const icon = document.createElement('span');
  icon.className = 'icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = doing.icon;
  const words = document.createElement('span');
  words.className = 'words';
  words.textContent = text;
  el.append(icon, words);
  return el;
}

function renderSessionInfo() {
  const s = selectedSession();
  $('session-info').hidden = !s;
  renderAttention(s);
  if (!s) return;
  const doing = describeActivity(s.activity);
  const line = $('session-activity');
  line.hidden = !doing;
  if (doing) {
    line.dataset.state = doing.state;
    line.replaceChildren(...activityElement('', doing, doing.long).childNodes);
    line.title = doing.long;
  }
  const status = s.status === 'needs_you' ? 'needs you' : s.status;
  $('session-state').textContent = status + (s.mcp_connected === false && s.status !== 'dead' ? ' · agent not connected' : '');
  const project = $('session-project');
  project.textContent = [s.agent_label, s.host && `on ${s.host}`, s.project].filter(Boolean).join(' · ');
  project.title = (s.host ? `on host ${s.host}: ` : '') + (s.cwd || 'no project folder: the agent works in an empty scratch folder');
  const terminal = $('terminal');
  terminal.textContent = s.terminal || '';
  terminal.hidden = !s.terminal;
}

// A dialog in the agent's terminal that only the user can answer: why, the screen, and keys.
function renderAttention(s) {
  const box = $('attention');
  const show = Boolean(s && s.status === 'needs_you' && (s.detail || s.screen));
  box.hidden = !show;
  if (!show) return;
  $('attention-reason').textContent = s.detail || 'The agent is waiting for you in its terminal.';
  const screen = $('agent-screen');
  if (screen.textContent !== (s.screen || '')) {
    screen.textContent = s.screen || '';
    screen.scrollTop = screen.scrollHeight;
  }
}

function renderTranscript() {
  const box = $('transcript');
  const s = selectedSession();
  $('thinking').hidden = !(s && s.thinking);
  if (!s) {
    transcriptView.sessionId = null;
    box.replaceChildren(placeholder(state.connection === 'connected'
      ? 'No sessions yet. Tap “New Session” to start an agent.'
      : 'Connecting to the hub…'));
    return;
  }
  // Append only what is new, unless the tab changed or the transcript was replaced.
  const switched = transcriptView.sessionId !== s.session_id;
  if (switched || transcriptView.count > s.transcript.length) {
    box.replaceChildren();
    transcriptView.sessionId = s.session_id;
    transcriptView.count = 0;
  }
  if (!s.transcript.length) {
    box.replaceChildren(placeholder(s.status === 'starting' ? 'Starting the agent…' : 'No messages yet.'));
    return;
  }
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  if (transcriptView.count === s.transcript.length) {
    refreshReplayButtons();
    refreshPromptStates();
    // A ▶ that appeared under the last bubble must not push it out of view.
    if (nearBottom) box.scrollTop = box.scrollHeight;
    return;
  }
  const empty = box.querySelector('.empty');
  if (empty) empty.remove();
  for (const entry of s.transcript.slice(transcriptView.count)) box.appendChild(entryElement(s, entry));
  transcriptView.count = s.transcript.length;
  refreshReplayButtons();
  refreshPromptStates();
  if (switched || nearBottom) box.scrollTop = box.scrollHeight;
}

function placeholder(text) {
  const empty = document.createElement('div');
  empty.className = 'empty';
  empty.textContent = text;
  return empty;
}

function entryElement(s, entry) {
  const el = document.createElement('div');
  el.className = 'entry ' + entry.role;
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  bubble.textContent = entry.text;
  el.appendChild(bubble);
  el._entry = entry;
  if (entry.role === 'agent' || entry.role === 'user') {
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = formatTime(entry.at);
    if (entry.role === 'user') {
      // What became of a prompt; filled (and kept up to date) by refreshPromptStates.
      const promptState = document.createElement('span');
      promptState.className = 'prompt-state';
      meta.appendChild(promptState);
    }
    if (entry.role === 'agent') {
      const button = document.createElement('button');
      button.className = 'replay';
      button.type = 'button';
      button.textContent = '▶ play';
      button.hidden = true;
      button.onclick = () => actions.replay(s, entry);
      meta.appendChild(button);
    }
    el.appendChild(meta);
  }
  return el;
}

// Audio arrives after its text: show the replay button once the bubble has audio.
function refreshReplayButtons() {
  for (const el of $('transcript').querySelectorAll('.entry.agent')) {
    const button = el.querySelector('.replay');
    if (button) button.hidden = !actions.hasAudio(el._entry);
  }
}

// A prompt's bubble says what became of it (queued → delivered, answered, lost); it changes later.
function refreshPromptStates() {
  for (const el of $('transcript').querySelectorAll('.entry.user')) {
    const entry = el._entry;
    const label = el.querySelector('.prompt-state');
    if (!entry || !label) continue;
    const text = entry.promptState ? promptStateText(entry) : '';
    if (label.textContent !== text) label.textContent = text;
    if (el.dataset.promptState !== (entry.promptState || '')) {
      if (entry.promptState) el.dataset.promptState = entry.promptState;
      else delete el.dataset.promptState;
      el.classList.toggle('lost', entry.promptState === 'lost');
    }
  }
}

function renderStatus() {
  const line = $('status-line');
  const s = selectedSession();
  const text = s ? s.statusText : '';
  line.textContent = text;
  line.classList.toggle('error', text.startsWith('Error:'));
}

export function renderControls() {
  const s = selectedSession();
  const mode = actions.micMode(s);
  const mic = $('mic');
  mic.className = 'mic ' + mode;
  mic.setAttribute('aria-label', mode === 'recording' ? 'Stop recording and send' : mode === 'playing' ? 'Interrupt and answer' : 'Microphone');
  $('mic-hint').textContent = actions.micHint(s, mode);
  $('mute').setAttribute('aria-pressed', String(state.muted));
  $('mute-text').textContent = state.muted ? 'Muted' : 'Mute';
  $('mute-slash').style.display = state.muted ? '' : 'none';
  $('mode-text').textContent = state.auto ? 'Auto' : 'Manual';
  $('vad').checked = state.vad.enabled;
  $('hands-free').checked = state.handsFree;
  $('prompt-send').disabled = !s;
  $('prompt-text').placeholder = s ? `Tell ${s.label || 'the agent'} something…` : 'No session';
  const speed = $('speed');
  speed.disabled = !s || s.status === 'dead';
  // Without a session the control shows the default a new session gets.
  if (document.activeElement !== speed) speed.value = String(Number((s && s.speed) || 1));
}

function renderVoices() {
  const select = $('voice');
  const s = selectedSession();
  const current = s ? s.voice : '';
  const voices = state.voices.slice();
  // A session may use a voice that is not listed (renamed config); still show it.
  if (current && !voices.some((v) => v.id === current)) voices.unshift({ id: current, label: current });
  const signature = JSON.stringify(voices.map((v) => [v.id, v.label, v.healthy]));
  if (select.dataset.signature !== signature) {
    select.replaceChildren(...voices.map((v) => {
      const option = document.createElement('option');
      option.value = v.id;
      option.textContent = voiceName(v) + (v.healthy === false ? ' — down' : '');
      return option;
    }));
    select.dataset.signature = signature;
  }
  select.value = current;
  select.disabled = !s || s.status === 'dead' || !voices.length;
}

// What the user gets: the engine that speaks the selected voice and the one that transcribes.
// An engine that is not running but covered by the next one in the chain is shown as such,
// not as a failure; red only when nothing in a chain works.
function renderBackends() {
  const box = $('backends');
  const s = selectedSession();
  const voice = state.voices.find((v) => v.id === (s && s.voice)) || state.voices[0];
  const byName = Object.fromEntries(state.backends.map((b) => [b.name, b]));
  const chips = [];
  if (voice) {
    chips.push(chainChip('voice', (voice.chain || []).map((l) => l.backend), voice.active_backend, voice.healthy, byName));
    if (Array.isArray(voice.stt_chain)) chips.push(chainChip('speech to text', voice.stt_chain, voice.active_stt, voice.stt_healthy, byName));
  }
  const signature = JSON.stringify(chips);
  if (box.dataset.signature === signature) return;
  box.dataset.signature = signature;
  box.replaceChildren(...chips.map((chip) => {
    const el = document.createElement('span');
    el.className = 'backend';
    el.dataset.name = chip.active;
    el.dataset.status = chip.status;
    el.title = chip.title;
    const dot = document.createElement('span');
    dot.className = 'dot';
    const name = document.createElement('span');
    name.textContent = `${chip.role}: ${chip.active}`;
    el.append(dot, name);
    if (chip.note) {
      const note = document.createElement('span');
      note.className = 'covered';
      note.textContent = chip.note;
      el.append(note);
    }
    return el;
  }));
}

function chainChip(role, chain, active, healthy, byName) {
  const skipped = chain.slice(0, Math.max(0, chain.indexOf(active))).filter((name) => byName[name] && byName[name].status === 'down');
  const activeStatus = byName[active] ? byName[active].status : 'unknown';
  const status = healthy === false ? 'down' : skipped.length ? 'covered' : (activeStatus === 'idle' ? 'ok' : activeStatus);
  const title = chain.map((name) => {
    const b = byName[name];
    return `${name}: ${b ? b.status : 'unknown'}` + (b && b.last_error ? ` — ${b.last_error}` : '');
  }).join('\n');
  const note = healthy === false ? 'no engine answers' : skipped.length ? `(${skipped.join(', ')} not running)` : '';
  return { role, active, status, title, note };
}
