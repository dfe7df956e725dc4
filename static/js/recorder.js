// One recording of what the user says (an answer to the agent's question, or a prompt). Where
// the browser has AudioWorklet, the microphone's samples come from the audio thread as 16-bit
// PCM (onpcm), streamed to the hub while the user speaks, with voice-activity detection on the
// same clock; elsewhere MediaRecorder records it whole. stop(reason) ends it;
// onfinish({blob, mimeType, reason, streamed}) follows. onpause() tells each pause after speech
// (the end word's check), onsettle(position) an earlier one (the hub may transcribe what it has);
// a listening window (`listenMs`) ends with 'silence' if nobody spoke.
import { wallNow } from './log.js';
import { VoiceActivity } from './vad.js';
import { concatBytes, pcmToWav } from './util.js';

const MAX_RECORDING_MS = 120000;
const PAUSE_MS = 400;   // quiet after speech that counts as a pause (a chance to check for the end word)
const SETTLE_MS = 300;  // quiet after speech long enough to transcribe what was said so far
const STREAM_RATE = 16000;   // what speech-to-text engines work at
const WORKLET = new URL('./mic-worklet.js', import.meta.url).href;

function recorderOptions() {
  if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return {};
  const types = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm'];
  const mimeType = types.find((t) => MediaRecorder.isTypeSupported(t));
  return mimeType ? { mimeType } : {};
}

export class Recorder {
  // purpose: answer | prompt. listenMs: give up after this long without speech (0: never).
  // timeslice: deliver the audio every this many ms, so that soFar() has it (0: only at the end).
  constructor(sessionId, vad, { purpose = 'answer', listenMs = 0, timeslice = 0 } = {}) {
    this.sessionId = sessionId;
    this.vad = vad;              // {enabled, threshold, silenceMs}
    this.purpose = purpose;
    this.listenMs = listenMs;
    this.timeslice = timeslice;
    this.onpause = null;
    this.releaseWanted = false;  // push-to-talk let go while the mic was still opening
    this.phase = 'starting';     // starting | recording | stopping
    this.chunks = [];
    this.reason = null;
    this.onfinish = null;
    this.startedAt = null;
    this.level = 0;
    this.onpcm = null;           // (Int16Array) samples as they come, when streamed
    this.onsettle = null;        // (position) quiet for SETTLE_MS after speech
    this.streamed = false;       // samples from the worklet (else MediaRecorder)
    this.sampleRate = 0;
    this.samples = 0;            // taken so far
    this.pcm = [];               // every sample, for the whole recording (a resend, ▶)
    this.speechEnd = null;       // the position where the quiet that ended it began
    this.activity = null;        // its VoiceActivity, once the level is watched
    this.pauseSeen = false;      // the current pause was told (onpause)
    this.settleSeen = false;     // … and onsettle
  }

  // Resolves once recording (or throws: no microphone, no permission).
  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error('microphone access needs HTTPS or localhost');
    }
    const canStream = typeof AudioWorkletNode !== 'undefined';
    if (!canStream && !window.MediaRecorder) throw new Error('this browser cannot record audio (no MediaRecorder)');
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    if (this.phase !== 'starting') { this.release(); return; } // cancelled while asking
    try {
      if (canStream) await this.startWorklet();
      else this.startMediaRecorder();
    } catch (error) {
      this.release();   // never leave the microphone on
      throw error;
    }
    if (this.phase !== 'starting') { this.release(); return; }
    this.startedAt = Date.now();
    this.phase = 'recording';
    this.limit = setTimeout(() => this.stop('limit'), MAX_RECORDING_MS);
    if (!this.streamed) this.watchLevel();
  }

  startMediaRecorder() {
    this.media = new MediaRecorder(this.stream, recorderOptions());
    this.media.ondataavailable = (e) => { if (e.data && e.data.size) this.chunks.push(e.data); };
    // Also when the track ends by itself (headset unplugged, a phone call): the answer so far counts.
    this.media.onstop = () => { if (this.phase !== 'stopping') this.stop('ended'); else this.finished(); };
    if (this.timeslice) this.media.start(this.timeslice);
    else this.media.start();
  }

  // 16 kHz where the browser resamples the microphone for us, else the device's own rate.
  async startWorklet() {
    let context;
    let source;
    try {
      context = new AudioContext({ sampleRate: STREAM_RATE });
      source = context.createMediaStreamSource(this.stream);
    } catch {
      if (context) context.close().catch(() => {});
      context = new AudioContext();
      source = context.createMediaStreamSource(this.stream);
    }
    this.context = context;
    await context.audioWorklet.addModule(WORKLET);
    const node = new AudioWorkletNode(context, 'clawmux-mic');
    source.connect(node);
    node.connect(context.destination);   // silent: pulls the graph
    if (context.state !== 'running') await context.resume().catch(() => {});
    this.streamed = true;
    this.sampleRate = context.sampleRate;
    this.activity = new VoiceActivity(this.vad);
    node.port.onmessage = ({ data }) => {
      if (this.phase !== 'recording') return;
      const position = this.samples;
      this.samples += data.pcm.length;
      this.pcm.push(new Uint8Array(data.pcm.buffer));
      if (this.onpcm) this.onpcm(data.pcm);
      const now = data.end * 1000;
      this.heard(data.level, now, position, now - (data.pcm.length / this.sampleRate) * 1000);
    };
    // The track ends by itself (headset unplugged, a phone call): the answer so far counts.
    for (const track of this.stream.getAudioTracks()) track.onended = () => { if (this.phase === 'recording') this.stop('ended'); };
  }

  watchLevel() {
    try {
      this.context = new AudioContext();
      const analyser = this.context.createAnalyser();
      analyser.fftSize = 1024;
      this.context.createMediaStreamSource(this.stream).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      this.activity = new VoiceActivity(this.vad);
      // A timer, not requestAnimationFrame: it keeps running in a background window.
      this.ticker = setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const s of samples) sum += s * s;
        this.heard(Math.sqrt(sum / samples.length), performance.now());
      }, 50);
    } catch {
      // No level meter: tap to stop still works; a listening window cannot tell speech, so it ends.
      if (this.listenMs) this.stop('silence');
    }
  }

  // The microphone's level at `now` (ms; a frame from `began`, at sample `position` when streamed):
  // the end of the answer, an empty listening window, a pause worth a look.
  heard(level, now, position = null, began = now) {
    this.level = level;
    const activity = this.activity;
    if (activity.feed(level, now, position, began) && this.vad.enabled) {
      this.speechEnd = activity.quietFrom;
      this.stop('vad');
      return;
    }
    // Nobody spoke in the listening window: nothing to send.
    if (this.listenMs && !activity.heardSpeech && Date.now() - this.startedAt >= this.listenMs) { this.stop('silence'); return; }
    const quiet = activity.quietFor(now);
    if (quiet === 0) { this.pauseSeen = this.settleSeen = false; return; }
    if (quiet >= SETTLE_MS && !this.settleSeen) {
      this.settleSeen = true;
      if (this.onsettle) this.onsettle(activity.quietFrom);
    }
    if (quiet >= PAUSE_MS && !this.pauseSeen) {
      this.pauseSeen = true;
      if (this.onpause) this.onpause();
    }
  }

  // What was said so far (with a timeslice), for a quick look before the end.
  soFar() {
    if (this.streamed) return pcmToWav(concatBytes(this.pcm), this.sampleRate);
    const mimeType = (this.media && this.media.mimeType) || 'audio/webm';
    return new Blob(this.chunks, { type: mimeType });
  }

  // reason: vad | tap | release | end-word | limit | ended | silence | muted | cancel.
  // Sent: vad, tap, release, end-word, limit and ended.
  stop(reason) {
    if (this.phase === 'stopping') return;
    const wasRecording = this.phase === 'recording';
    this.phase = 'stopping';
    this.reason = reason;
    this.stoppedAt = wallNow();   // when it was decided (the encoder may take a moment more)
    // Stopped in a pause (a tap, the end word): the speech ended where the quiet began.
    if (this.speechEnd === null && this.activity && this.activity.quietSince !== null) this.speechEnd = this.activity.quietFrom;
    clearTimeout(this.limit);
    clearInterval(this.ticker);
    if (wasRecording && this.media && this.media.state !== 'inactive') this.media.stop(); // → finished
    else this.finished();
  }

  finished() {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.limit);
    clearInterval(this.ticker);
    this.release();
    if (this.streamed) {
      const blob = pcmToWav(concatBytes(this.pcm), this.sampleRate);
      if (this.onfinish) this.onfinish({ blob: this.samples ? blob : new Blob([]), mimeType: 'audio/wav', reason: this.reason, streamed: true });
      return;
    }
    const mimeType = (this.media && this.media.mimeType) || 'audio/webm';
    if (this.onfinish) this.onfinish({ blob: new Blob(this.chunks, { type: mimeType }), mimeType, reason: this.reason, streamed: false });
  }

  release() {
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    if (this.context) this.context.close().catch(() => {});
    this.stream = null;
    this.context = null;
  }

  get seconds() {
    return this.startedAt ? Math.floor((Date.now() - this.startedAt) / 1000) : 0;
  }
}
