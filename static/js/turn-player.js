// One turn's audio for one session: chunks are kept while its tab is in the background,
// played in order once started (gapless within an encoding), paused when the tab goes away,
// stopped at once on barge-in. onended(error|null) fires once everything has played.
import { BlobSegment, MseSegment, PcmSegment } from './audio-segments.js';
import { note } from './log.js';
import { parseFormat } from './util.js';

export class TurnPlayer {
  constructor({ streaming, turn = null, onended = null }) {
    this.streaming = streaming;
    this.turn = turn || null;   // the hub's tag of the turn it plays (null: the message had none)
    this.onended = onended;     // (error|null) once everything has played; not after stop()
    this.segments = [];
    this.received = 0;          // chunks taken, by seq: the hub's catch-up repeats are dropped
    this.complete = false;
    this.state = 'buffering';   // buffering | playing | paused | ended | stopped
    this.index = 0;
    this.waiting = false;       // playing, but no audio yet
    this.error = null;
    // Set by its owners (players.js, conversation.js):
    this.sessionId = null;      // whose turn it is
    this.kind = 'question';     // question | message | permission | report (the hub's assistant_text kind)
    this.arrival = 0;           // when it came, for the play queue's order
    this.turnDone = false;      // the hub said done while this played its turn: it plays to its end, even into the next turn
    this.notedBackground = false; // its buffering in a background tab was noted (tab marked unread) once
  }

  get active() { return this.state === 'playing' || this.state === 'paused'; }
  get over() { return this.state === 'ended' || this.state === 'stopped'; }

  // An audio_chunk; false when it was a repeat.
  chunk(seq, bytes, format, final) {
    if (seq < this.received) return false;
    this.received = seq + 1;
    if (bytes.length) this.append(bytes, format);
    if (final) this.finishAll();
    return true;
  }

  // A whole `audio` message.
  whole(bytes, format) {
    this.append(bytes, format);
    this.finishAll();
  }

  append(bytes, format) {
    let segment = this.segments[this.segments.length - 1];
    if (!segment || segment.format !== format) {
      // A failover to an engine with another encoding: the new part plays after the old one.
      if (segment) segment.finish();
      segment = TurnPlayer.makeSegment(parseFormat(format));
      segment.format = format;
      if (!this.segments.length) segment.onsound = (at) => note('audio-start', { session: this.sessionId, turn: this.turn, kind: this.kind, at: Math.round(at) });
      this.segments.push(segment);
    }
    segment.push(bytes);
    if (this.waiting) {
      this.waiting = false;
      this.startSegment(this.index);
    }
  }

  static makeSegment(format) {
    if (format.kind === 'pcm') return new PcmSegment(format.rate);
    if (format.kind === 'mpeg' && MseSegment.supported()) return new MseSegment();
    return new BlobSegment(format.mime);
  }

  finishAll() {
    this.complete = true;
    const last = this.segments[this.segments.length - 1];
    if (last) last.finish();
    if (this.waiting) this.end();
  }

  play() {
    if (this.state !== 'buffering') return;
    this.state = 'playing';
    this.startSegment(0);
  }

  startSegment(index) {
    if (this.over) return;
    this.index = index;
    if (index >= this.segments.length) {
      if (this.complete) this.end();
      else this.waiting = true;
      return;
    }
    const segment = this.segments[index];
    segment.onended = () => this.startSegment(index + 1);
    segment.onerror = (error) => { this.error = error; this.startSegment(index + 1); };
    segment.start();
    if (this.state === 'paused') segment.pause();
  }

  pause() {
    if (this.state !== 'playing') return;
    this.state = 'paused';
    const segment = this.segments[this.index];
    if (segment) segment.pause();
  }

  resume() {
    if (this.state !== 'paused') return;
    this.state = 'playing';
    const segment = this.segments[this.index];
    if (segment) segment.resume();
  }

  stop() {
    if (this.over) return;
    const heard = this.state === 'playing';
    this.state = 'stopped';
    const silentAt = Math.max(0, ...this.segments.map((segment) => segment.stop() || 0));
    if (heard) note('audio-stop', { session: this.sessionId, turn: this.turn, at: Math.round(silentAt) });
  }

  end() {
    if (this.over) return;
    this.state = 'ended';
    if (this.onended) this.onended(this.error);
  }

  // The turn's audio as one file, for the ▶ button on its bubble.
  blob() {
    if (!this.segments.length) return null;
    return this.segments[this.segments.length === 1 ? 0 : this.segments.length - 1].blob();
  }
}
