// The end word ("over"): said last, it sends the recording at once, whatever the pause setting.
// A streamed recording's pauses are checked by the hub (recording_pause with end_word; it
// answers recording_end_word). A recording made whole (MediaRecorder) is checked here: at each
// pause, what was said so far is transcribed (POST /api/transcribe; one at a time, never a pile);
// when its words end with the end word, the recording stops. The hub
// leaves the word out of what it heard (every recording says `end_word` while the setting is on).
import { fetchHub } from './api.js';
import { note } from './log.js';

const words = (text) => String(text || '').toLowerCase().match(/[\p{L}\p{N}']+/gu) || [];

// The setting as it is used: lower case, words only; '' is off.
export const endWordOf = (setting) => words(setting).join(' ');

// "Run the tests, over." ends with "over"; "takeover" and "over it" do not.
export function endsWithWord(text, word) {
  const wanted = words(word);
  const said = words(text);
  if (!wanted.length || said.length < wanted.length) return false;
  return wanted.every((w, i) => said[said.length - wanted.length + i] === w);
}

let probing = false;      // a transcription is on its way (for any recording)
let unsupported = false;  // the hub has no /api/transcribe: stop asking

// Checks `rec` at its pauses while `word` is set. voice: the session's, for its speech-to-text chain.
export function watchEndWord(rec, word, voice) {
  if (!word) return;
  rec.onpause = async () => {
    // A streamed recording's pauses are transcribed by the hub, which says when it heard the word.
    if (rec.streamed || probing || unsupported || rec.phase !== 'recording') return;
    const blob = rec.soFar();
    if (!blob.size) return;
    probing = true;
    note('end-word-probe', { session: rec.sessionId, bytes: blob.size });
    try {
      const path = '/api/transcribe' + (voice ? `?voice=${encodeURIComponent(voice)}` : '');
      const response = await fetchHub('POST', path, { body: blob, type: blob.type });
      const { text = '' } = await response.json();
      const heard = endsWithWord(text, word);
      note('end-word-checked', { session: rec.sessionId, heard, text });
      if (heard && rec.phase === 'recording') rec.stop('end-word');
    } catch (error) {
      if (error.status === 404 || error.status === 405) unsupported = true;
      note('end-word-failed', { session: rec.sessionId, status: error.status || 0 });
    } finally {
      probing = false;
    }
  };
}
