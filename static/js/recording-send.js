// A finished recording on its way to the hub: the end of its stream (the hub has the rest), or
// the whole recording as one `audio` message where it was not streamed or the stream failed.
// An answer changes the page's state at once; a prompt says where it went (prompt_status).
import { cue } from './cues.js';
import { endWordOf } from './end-word.js';
import * as Hub from './hub-link.js';
import { note, wallNow } from './log.js';
import { promptRecorded } from './prompts.js';
import { state } from './sessions.js';
import * as Turn from './turn-phase.js';
import { blobToBase64 } from './util.js';

const endWord = () => endWordOf(state.endWord);

function withEndWord(message) {
  const word = endWord();
  return word ? { ...message, end_word: word } : message;
}

// The end of a streamed recording (the hub has the rest); false: it must go whole.
function endStream(rec, purpose) {
  if (!rec.upload || !rec.upload.end({ speechEnd: rec.speechEnd, purpose, endWord: endWord() })) return false;
  streamedRecently.set(rec.upload.id, rec);
  if (streamedRecently.size > 4) streamedRecently.delete(streamedRecently.keys().next().value);
  return true;
}

// Recently ended streamed recordings, by id: should the hub refuse one, it is sent whole.
const streamedRecently = new Map();

// A streamed recording that ended and that the hub could not take goes whole now. Nothing said is lost.
export function resendWhole(id) {
  const rec = streamedRecently.get(id);
  if (!rec) return;
  streamedRecently.delete(id);
  const s = state.sessions[rec.sessionId];
  if (!s || !rec.whole) return;
  rec.upload.failed = true;
  note('recording-resent-whole', { session: rec.sessionId });
  if (rec.purpose === 'prompt') sendPrompt(s, rec, rec.whole.blob, rec.whole.mimeType);
  else sendAnswer(s, rec, rec.whole.blob, rec.whole.mimeType);
}

// The page's state changes at once (a streamed answer's words may come back within
// milliseconds); the whole recording, as base64, follows: it is sent (not streamed) or kept.
export async function sendAnswer(s, rec, blob, mimeType) {
  rec.whole = { blob, mimeType };
  const streamed = endStream(rec, 'answer');
  // Kept until the hub shows it has it (user_text or done): a dying socket may eat it.
  const kept = s.lastAnswer = { message: null, epoch: streamed ? rec.upload.epoch : Hub.epoch() };
  s.pendingListen = false;
  s.answered = true;
  s.answeredAt = Date.now();
  Turn.transcribing(s.turn);
  s.thinking = true;
  s.statusText = 'Sending…';
  cue('thinking', rec.sessionId);
  if (streamed) note('recording-sent', { session: rec.sessionId, bytes: blob.size, at: Math.round(wallNow()), streamed: true });
  const data = await blobToBase64(blob);
  kept.message = withEndWord({ session_id: rec.sessionId, type: 'audio', data, mime_type: mimeType });
  if (streamed) return;
  Hub.send(kept.message);
  note('recording-sent', { session: rec.sessionId, bytes: blob.size, at: Math.round(wallNow()) });
}

// A prompt: the hub transcribes it, and says where it went (prompt_status) or that nothing was heard.
export async function sendPrompt(s, rec, blob, mimeType) {
  rec.whole = { blob, mimeType };
  if (!endStream(rec, 'prompt')) {
    const data = await blobToBase64(blob);
    Hub.send(withEndWord({ session_id: rec.sessionId, type: 'audio', data, mime_type: mimeType, purpose: 'prompt' }));
  }
  note('prompt-recording-sent', { session: rec.sessionId, bytes: blob.size });
  promptRecorded(s);
  cue('thinking', rec.sessionId);
}
