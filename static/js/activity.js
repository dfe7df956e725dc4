// What an agent is doing, in words: a short line for its tab and a fuller one for the selected
// session. The hub sends {state, tool, detail, since}; nothing here keeps state. The icons are
// plain symbols, not emoji: they show in any font (a headless test browser's too).
import { formatTime } from './util.js';

const STATES = {
  starting: ['◔', 'starting…'],
  working: ['⚙', 'working…'],
  asking: ['☎', 'waits for you'],
  needs_permission: ['⚠', 'needs permission'],
  needs_you: ['☝', 'needs you'],
  idle: ['✓', 'done'],
  compacting: ['≡', 'compacting'],
  dead: ['■', 'ended'],
};

// A tool as a verb: [icon, verb with its detail, verb without one].
const TOOLS = {
  Bash: ['⌨', 'running', 'running a command'],
  Edit: ['✎', 'editing', 'editing a file'],
  MultiEdit: ['✎', 'editing', 'editing a file'],
  Write: ['✎', 'editing', 'writing a file'],
  NotebookEdit: ['✎', 'editing', 'editing a notebook'],
  Read: ['☰', 'reading', 'reading a file'],
  Grep: ['⌕', 'searching', 'searching'],
  Glob: ['⌕', 'searching', 'looking for files'],
  WebFetch: ['↓', 'fetching', 'fetching a page'],
  WebSearch: ['⌕', 'searching the web for', 'searching the web'],
  Task: ['⚙', 'delegating:', 'delegating a task'],
};

// {state, icon, short, long}: short for the tab, long (with details and since when) for the front.
export function describeActivity(activity) {
  if (!activity || !activity.state) return null;
  const { state, tool, detail } = activity;
  let icon;
  let text;
  if (state === 'tool') {
    const [toolIcon, verb, bare] = TOOLS[tool] || ['⚒', `using ${tool || 'a tool'}`, `using ${tool || 'a tool'}`];
    icon = toolIcon;
    text = detail ? `${verb}${TOOLS[tool] ? ' ' : ': '}${detail}` : bare;
  } else {
    [icon, text] = STATES[state] || ['•', state.replace(/_/g, ' ')];
  }
  let long = text;
  // The reason a dialog or a notification gives is the point of the fuller line.
  if (detail && (state === 'needs_you' || state === 'needs_permission')) long = `${text}: ${detail}`;
  if (typeof activity.since === 'number' && activity.since > 0) long += ` · since ${formatTime(activity.since * 1000)}`;
  return { state, icon, short: text, long };
}

// A permission request in words: {action, subject} as in "wants to run `npm test`",
// "wants to edit src/parser.ts", "wants to use WebSearch: clawmux".
const ACTIONS = { Bash: 'run', Edit: 'edit', MultiEdit: 'edit', Write: 'edit', NotebookEdit: 'edit', Read: 'read', WebFetch: 'fetch' };

export function describeRequest(request) {
  const tool = request.tool || 'a tool';
  const subject = request.detail || '';
  const known = ACTIONS[request.tool];
  const action = known || `use ${tool}${subject ? ':' : ''}`;
  // What the transcript's line names: "Allowed: npm test", "Denied: edit src/a.ts", "Allowed: WebSearch (x)".
  let short = tool;
  if (request.tool === 'Bash' && subject) short = subject;
  else if (known) short = subject ? `${known} ${subject}` : tool;
  else if (subject) short = `${tool} (${subject})`;
  return { action, subject, short };
}
