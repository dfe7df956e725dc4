// REST calls to the hub. Opened with ?token=, the hub sets a cookie and redirects to the clean
// URL; a page that still has ?token= (another server, an old hub) passes it on.
import { toast } from './toast.js';

const token = new URLSearchParams(location.search).get('token');
let warnedAboutToken = false;

export function withToken(path) {
  if (!token) return path;
  return path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}

// Audio in or out (an agent's name, a quick transcription): the raw response, or an error with
// its status (404: not there, 503: no engine could do it).
export async function fetchHub(method, path, { body, type, signal } = {}) {
  const init = { method, headers: {}, signal };
  if (body !== undefined) { init.body = body; init.headers['Content-Type'] = type || 'application/octet-stream'; }
  const response = await fetch(withToken(path), init);
  if (!response.ok) {
    let json = null;
    try { json = await response.json(); } catch { /* not JSON */ }
    const error = new Error((json && json.error) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return response;
}

export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(withToken(path), init);
  let json = null;
  try { json = await response.json(); } catch { /* empty or non-JSON body */ }
  if (response.status === 401 && !warnedAboutToken) {
    // Without the token the hub refuses everything; say how to get in, once.
    warnedAboutToken = true;
    toast('This hub needs its access token: open the URL it printed at start (…/?token=…).');
  }
  if (!response.ok) {
    const error = new Error((json && json.error) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return json;
}
