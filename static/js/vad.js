// Voice-activity detection as plain logic: fed the microphone's level every few tens of ms,
// it says when an answer is over — after speech, `silenceMs` of quiet — and how long the current
// pause lasts. Initial silence never ends a recording (the user may still be thinking).

export const VAD_DEFAULTS = { enabled: true, threshold: 0.015, silenceMs: 1500 };

export class VoiceActivity {
  constructor({ threshold, silenceMs, minSpeechMs = 200 }) {
    this.threshold = threshold;
    this.silenceMs = silenceMs;
    this.minSpeechMs = minSpeechMs;
    this.loudSince = null;   // start of the current loud stretch
    this.heardSpeech = false;
    this.quietSince = null;  // start of the current quiet stretch after speech
  }

  // level: RMS of the last frame, 0…1. Returns true once the answer is over.
  feed(level, now) {
    if (level >= this.threshold) {
      this.quietSince = null;
      if (this.loudSince === null) this.loudSince = now;
      // A click or a cough is not speech: it has to last a moment.
      if (now - this.loudSince >= this.minSpeechMs) this.heardSpeech = true;
      return false;
    }
    this.loudSince = null;
    if (!this.heardSpeech) return false;
    if (this.quietSince === null) this.quietSince = now;
    return now - this.quietSince >= this.silenceMs;
  }

  // How long it has been quiet after speech (0 while speaking, or before any speech): a pause.
  quietFor(now) {
    return this.heardSpeech && this.quietSince !== null ? now - this.quietSince : 0;
  }
}
