// One stretch of a turn's audio in one encoding. Chunks may arrive before, during or after
// playback starts; each segment plays gaplessly what it has and what still comes, and calls
// onended once it was told it is complete and has played everything.
import { wallNow } from './log.js';
import { concatBytes, pcmToWav } from './util.js';

// When the output device will play what is scheduled now, in seconds.
const outputDelay = (context) => (context && (context.outputLatency || context.baseLatency)) || 0;

// audio/pcm;rate=N (16-bit little-endian mono): scheduled back to back on a WebAudio clock.
export class PcmSegment {
  constructor(rate) {
    this.rate = rate;
    this.chunks = [];
    this.complete = false;
    this.onended = null;
    this.context = null;
    this.sources = new Set();
    this.carry = null;   // an odd byte left from a chunk that split a sample
    this.nextTime = 0;
    this.finished = false;
    this.paused = false;
    this.onerror = null;
    this.onsound = null;   // (wall-clock ms) when its first sample will be heard
    this.sounded = false;
  }

  push(bytes) {
    this.chunks.push(bytes);
    if (this.context && !this.finished) this.schedule(bytes);
  }

  finish() {
    this.complete = true;
    this.checkEnd();
  }

  start() {
    try {
      // A context of its own: pausing one turn (suspend) must not stop another. Its own rate:
      // WebAudio resamples the buffers, which carry the engine's rate.
      this.context = new AudioContext();
      this.nextTime = this.context.currentTime + 0.02;   // a moment to start the clock, no more: it is heard as delay
      for (const bytes of this.chunks) this.schedule(bytes);
    } catch (error) {
      this.fail(error);
      return;
    }
    // Without a gesture on the page the browser may keep the context suspended: say so
    // (the page offers ▶) rather than wait in silence.
    if (this.context.state !== 'running') {
      this.context.resume().catch(() => {});
      setTimeout(() => {
        if (this.context && !this.finished && !this.paused && this.context.state !== 'running') {
          const blocked = new Error('the browser did not allow audio to start');
          blocked.name = 'NotAllowedError';
          this.fail(blocked);
        }
      }, 1500);
    }
    this.checkEnd();
  }

  fail(error) {
    if (this.finished) return;
    this.stop();
    if (this.onerror) this.onerror(error);
    else if (this.onended) this.onended();
  }

  schedule(bytes) {
    let data = bytes;
    if (this.carry) { data = concatBytes([this.carry, bytes]); this.carry = null; }
    if (data.length % 2) { this.carry = data.slice(-1); data = data.slice(0, -1); }
    const samples = data.length / 2;
    if (!samples) return;
    const buffer = this.context.createBuffer(1, samples, this.rate);
    const channel = buffer.getChannelData(0);
    const view = new DataView(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < samples; i++) channel[i] = view.getInt16(i * 2, true) / 32768;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const at = Math.max(this.nextTime, this.context.currentTime + 0.01);
    source.start(at);
    if (!this.sounded) {
      this.sounded = true;
      if (this.onsound) this.onsound(wallNow() + (at - this.context.currentTime + outputDelay(this.context)) * 1000);
    }
    this.nextTime = at + buffer.duration;
    this.sources.add(source);
    source.onended = () => { this.sources.delete(source); this.checkEnd(); };
  }

  checkEnd() {
    if (!this.context || this.finished || !this.complete || this.sources.size) return;
    this.finished = true;
    this.close();
    if (this.onended) this.onended();
  }

  pause() { this.paused = true; if (this.context) this.context.suspend(); }
  resume() { this.paused = false; if (this.context) this.context.resume(); }

  // Returns when (wall-clock ms) the output falls silent.
  stop() {
    this.finished = true;
    for (const source of this.sources) { source.onended = null; try { source.stop(); } catch { /* not started */ } }
    this.sources.clear();
    const silentAt = wallNow() + outputDelay(this.context) * 1000;
    this.close();
    return silentAt;
  }

  close() {
    if (this.context && this.context.state !== 'closed') this.context.close().catch(() => {});
  }

  blob() { return pcmToWav(concatBytes(this.chunks), this.rate); }
}

// An <audio> element's play(), where a pause during the pending play (AbortError) is no failure.
function play(audio, onError) {
  const playing = audio.play();
  if (playing) playing.catch((error) => { if (error.name !== 'AbortError') onError(error); });
}

// The element's first 'playing': its sound starts (onsound, once).
function watchSound(segment, audio) {
  audio.addEventListener('playing', () => {
    if (segment.sounded || !segment.onsound) return;
    segment.sounded = true;
    segment.onsound(wallNow());
  });
}

function releaseElement(audio, url) {
  if (!audio) return;
  audio.onended = audio.onerror = null;
  audio.pause();
  URL.revokeObjectURL(url);
}

// audio/mpeg: appended to a MediaSource as it comes (chunks may split MP3 frames anywhere).
export class MseSegment {
  static supported() {
    return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('audio/mpeg');
  }

  constructor() {
    this.chunks = [];
    this.complete = false;
    this.onended = null;
    this.onerror = null;
    this.audio = null;
    this.buffer = null;
    this.queue = [];
    this.finished = false;
  }

  push(bytes) {
    this.chunks.push(bytes);
    if (this.buffer) { this.queue.push(bytes); this.drain(); }
  }

  finish() {
    this.complete = true;
    if (this.buffer) this.drain();
  }

  start() {
    const source = new MediaSource();
    this.audio = new Audio();
    watchSound(this, this.audio);
    this.url = URL.createObjectURL(source);
    this.audio.src = this.url;
    source.addEventListener('sourceopen', () => {
      this.source = source;
      this.buffer = source.addSourceBuffer('audio/mpeg');
      this.buffer.mode = 'sequence';
      this.buffer.addEventListener('updateend', () => this.drain());
      this.queue = this.chunks.slice();
      this.drain();
    }, { once: true });
    this.audio.onended = () => this.end();
    this.audio.onerror = () => this.fail(new Error('the browser could not decode the audio'));
    play(this.audio, (error) => this.fail(error));
  }

  drain() {
    if (!this.buffer || this.buffer.updating || this.finished) return;
    try {
      if (this.queue.length) this.buffer.appendBuffer(this.queue.shift());
      else if (this.complete && this.source.readyState === 'open') this.source.endOfStream();
    } catch (error) {
      this.fail(error);
    }
  }

  end() {
    if (this.finished) return;
    this.finished = true;
    this.release();
    if (this.onended) this.onended();
  }

  fail(error) {
    if (this.finished) return;
    this.finished = true;
    this.release();
    if (this.onerror) this.onerror(error);
    else if (this.onended) this.onended();
  }

  pause() { if (this.audio) this.audio.pause(); }
  resume() { if (this.audio && !this.finished) play(this.audio, (error) => this.fail(error)); }

  stop() {
    this.finished = true;
    this.release();
    return wallNow();
  }

  release() { releaseElement(this.audio, this.url); }

  blob() { return new Blob(this.chunks, { type: 'audio/mpeg' }); }
}

// Anything else (a WAV, or MP3 where MediaSource is missing): played whole once complete.
export class BlobSegment {
  constructor(mime) {
    this.mime = mime;
    this.chunks = [];
    this.complete = false;
    this.onended = null;
    this.onerror = null;
    this.audio = null;
    this.wanted = false;
    this.finished = false;
  }

  push(bytes) { this.chunks.push(bytes); }

  finish() {
    this.complete = true;
    if (this.wanted && !this.audio) this.play();
  }

  start() {
    this.wanted = true;
    if (this.complete) this.play();
  }

  play() {
    this.url = URL.createObjectURL(this.blob());
    this.audio = new Audio(this.url);
    watchSound(this, this.audio);
    this.audio.onended = () => this.end(null);
    this.audio.onerror = () => this.end(new Error('the browser could not decode the audio'));
    play(this.audio, (error) => this.end(error));
  }

  end(error) {
    if (this.finished) return;
    this.finished = true;
    this.release();
    if (error && this.onerror) this.onerror(error);
    else if (this.onended) this.onended();
  }

  pause() { if (this.audio) this.audio.pause(); else this.wanted = false; }
  resume() {
    if (this.audio) play(this.audio, (error) => this.end(error));
    else this.start();
  }

  stop() {
    this.finished = true;
    this.release();
    return wallNow();
  }

  release() { releaseElement(this.audio, this.url); }

  blob() { return new Blob(this.chunks, { type: this.mime }); }
}
