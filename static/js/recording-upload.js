// A recording streamed to the hub while the user speaks: its samples go as `recording_chunk`
// messages (about every 100 ms), a pause as `recording_pause` (the hub transcribes what it has,
// ready should the user say no more), the end as `recording_end`. The hub then has everything
// the moment the recording stops: no upload, no decoding left. Should the socket drop or the hub
// refuse it, the page sends the recording whole (an `audio` message), as the original page does.
import * as Hub from './hub-link.js';
import { note } from './log.js';
import { bytesToBase64 } from './util.js';

const SEND_EVERY = 1600;   // samples (100 ms at 16 kHz)

let uploads = 0;

export class RecordingUpload {
  constructor(sessionId, sampleRate) {
    this.sessionId = sessionId;
    this.sampleRate = sampleRate;
    this.id = `r${Date.now().toString(36)}${(++uploads).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.epoch = Hub.epoch();   // a new socket lost what the old one carried: then the whole is sent
    this.pending = [];
    this.pendingSamples = 0;
    this.seq = 0;
    this.failed = false;
  }

  // The hub says it cannot take this recording (or the socket changed): it goes whole at the end.
  get broken() { return this.failed || Hub.epoch() !== this.epoch; }

  push(pcm) {
    if (this.broken) return;
    this.pending.push(pcm);
    this.pendingSamples += pcm.length;
    if (this.pendingSamples >= SEND_EVERY) this.flush();
  }

  flush() {
    if (!this.pendingSamples || this.broken) return;
    const joined = new Int16Array(this.pendingSamples);
    let offset = 0;
    for (const part of this.pending) { joined.set(part, offset); offset += part.length; }
    this.pending = [];
    this.pendingSamples = 0;
    this.send({ type: 'recording_chunk', seq: this.seq++, mime_type: `audio/pcm;rate=${this.sampleRate}`,
      data: bytesToBase64(new Uint8Array(joined.buffer)) });
  }

  // Quiet since `position`: what came before may be transcribed now (and, with an end word,
  // checked for it: the hub answers `recording_end_word`).
  pause(position, endWord = '') {
    if (this.broken) return;
    this.flush();
    this.send({ type: 'recording_pause', samples: position, ...(endWord ? { end_word: endWord } : {}) });
  }

  // Returns false when the recording must be sent whole instead.
  end({ speechEnd, purpose, turn, endWord }) {
    if (this.broken) return false;
    this.flush();
    this.send({ type: 'recording_end', purpose, ...(turn ? { turn } : {}), ...(endWord ? { end_word: endWord } : {}),
      ...(speechEnd !== null && speechEnd !== undefined ? { speech_end: speechEnd } : {}) });
    note('recording-streamed', { session: this.sessionId, chunks: this.seq, speech_end: speechEnd });
    return true;
  }

  cancel() {
    if (!this.broken && this.seq) this.send({ type: 'recording_cancel' });
    this.failed = true;
  }

  send(message) {
    if (!Hub.send({ session_id: this.sessionId, recording: this.id, ...message })) this.failed = true;
  }
}
