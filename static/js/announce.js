// An agent's name in its own voice (GET /api/sessions/{id}/announce), said in hands-free mode
// before a turn of another agent than the last one heard. Made once per session, label, voice and
// speed (fetched as soon as the agent has something to say, so it is ready when its turn comes).
import { fetchHub } from './api.js';
import { note } from './log.js';

const FETCH_MS = 15000;   // a name slower than this is not worth waiting for: the turn plays without it
const PLAY_MS = 10000;    // a name is a second or two; an element that never ends must not hold the floor
const RETRY_MS = 30000;   // after a failure, turns play without the name for a while (no request per chunk)
const made = new Map();   // "id|label|voice" -> Promise<Blob|null>

export function announcement(s) {
  const key = [s.session_id, s.label, s.voice, s.speed].join('|');
  if (!made.has(key)) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), FETCH_MS);
    made.set(key, fetchHub('GET', `/api/sessions/${encodeURIComponent(s.session_id)}/announce`, { signal: abort.signal })
      .then((response) => response.blob())
      .catch((error) => {
        setTimeout(() => made.delete(key), RETRY_MS);   // then try again: an engine may be back
        note('announce-failed', { session: s.session_id, status: error.status || 0, error: String(error.message || error) });
        return null;
      })
      .finally(() => clearTimeout(timer)));
  }
  return made.get(key);
}

// Plays it once; onended() follows (played, failed or stopped by the clock). Returns {stop}.
export function playAnnouncement(blob, onended) {
  const url = URL.createObjectURL(blob);
  const audio = new Audio(url);
  let over = false;
  const finish = () => {
    if (over) return;
    over = true;
    clearTimeout(timer);
    audio.onended = audio.onerror = null;
    audio.pause();
    URL.revokeObjectURL(url);
  };
  const end = (how) => { if (!over) { finish(); onended(how); } };
  const timer = setTimeout(() => end('timeout'), PLAY_MS);
  audio.onended = () => end('ended');
  audio.onerror = () => end('error');
  const playing = audio.play();
  if (playing) playing.catch(() => end('blocked'));
  return { stop: finish };
}
