// One recording of the user's answer: microphone → MediaRecorder, with the level watched for
// voice-activity detection. stop(reason) ends it; onfinish({blob, mimeType, reason}) follows.
import { VoiceActivity } from './vad.js';

const MAX_RECORDING_MS = 120000;

function recorderOptions() {
  if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return {};
  const types = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm'];
  const mimeType = types.find((t) => MediaRecorder.isTypeSupported(t));
  return mimeType ? { mimeType } : {};
}

export class Recorder {
  constructor(sessionId, vad) {
    this.sessionId = sessionId;
    this.vad = vad;              // {enabled, threshold, silenceMs}
    this.phase = 'starting';     // starting | recording | stopping
    this.chunks = [];
    this.reason = null;
    this.onfinish = null;
    this.startedAt = null;
    this.level = 0;
  }

  // Resolves once recording (or throws: no microphone, no permission).
  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error('microphone access needs HTTPS or localhost');
    }
    if (!window.MediaRecorder) throw new Error('this browser cannot record audio (no MediaRecorder)');
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    if (this.phase !== 'starting') { this.release(); return; } // cancelled while asking
    try {
      this.media = new MediaRecorder(this.stream, recorderOptions());
      this.media.ondataavailable = (e) => { if (e.data && e.data.size) this.chunks.push(e.data); };
      // Also when the track ends by itself (headset unplugged, a phone call): the answer so far counts.
      this.media.onstop = () => { if (this.phase !== 'stopping') this.stop('ended'); else this.finished(); };
      this.media.start();
    } catch (error) {
      this.release();   // never leave the microphone on
      throw error;
    }
    this.startedAt = Date.now();
    this.phase = 'recording';
    this.limit = setTimeout(() => this.stop('limit'), MAX_RECORDING_MS);
    this.watchLevel();
  }

  watchLevel() {
    try {
      this.context = new AudioContext();
      const analyser = this.context.createAnalyser();
      analyser.fftSize = 1024;
      this.context.createMediaStreamSource(this.stream).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      const activity = new VoiceActivity(this.vad);
      // A timer, not requestAnimationFrame: it keeps running in a background window.
      this.ticker = setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const s of samples) sum += s * s;
        this.level = Math.sqrt(sum / samples.length);
        if (this.vad.enabled && activity.feed(this.level, performance.now())) this.stop('vad');
      }, 50);
    } catch { /* no level meter: tap to stop still works */ }
  }

  // reason: vad | tap | limit | ended | muted | cancel. vad, tap, limit and ended send it.
  stop(reason) {
    if (this.phase === 'stopping') return;
    const wasRecording = this.phase === 'recording';
    this.phase = 'stopping';
    this.reason = reason;
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
    const mimeType = (this.media && this.media.mimeType) || 'audio/webm';
    if (this.onfinish) this.onfinish({ blob: new Blob(this.chunks, { type: mimeType }), mimeType, reason: this.reason });
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
