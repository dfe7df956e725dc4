// Voice-activity detection as plain logic: fed the microphone's level every few tens of ms,
// it says when an answer is over — after speech, `silenceMs` of quiet — and how long the current
// pause lasts. Initial silence never ends a recording (the user may still be thinking).
//
// Speech starts at `threshold`; once speaking, only a level below the release level counts as
// quiet, so the soft ends of words do not start a pause early and a pause is measured as long
// as it really is (a 0.8 s pause inside a sentence must not end it at 0.9 s). The release level
// stays above the room's noise (tracked while quiet), else a noisy room would never end.

export const VAD_DEFAULTS = { enabled: true, threshold: 0.015, silenceMs: 900 };

const RELEASE = 0.6;        // share of the threshold that still counts as speech once speaking
const ABOVE_NOISE = 1.5;    // the release level stays this far above the noise floor
const NOISE_RISE = 0.05;    // how fast the noise estimate follows a louder room (per frame)
const NOISE_PAUSE_MS = 300; // quiet this long after speech is the room, not a word's end

export class VoiceActivity {
  constructor({ threshold, silenceMs, minSpeechMs = 200 }) {
    this.threshold = threshold;
    this.silenceMs = silenceMs;
    this.minSpeechMs = minSpeechMs;
    this.loudSince = null;   // start of the current loud stretch
    this.heardSpeech = false;
    this.quietSince = null;  // start of the current quiet stretch after speech
    this.quietFrom = null;   // the caller's position (a sample count) where it began
    this.noise = null;       // the room's level when nobody speaks
  }

  // The level below which it is quiet: the threshold before speech, lower during it.
  get release() {
    if (!this.heardSpeech && this.loudSince === null) return this.threshold;
    const floor = this.noise === null ? 0 : this.noise * ABOVE_NOISE;
    return Math.min(this.threshold, Math.max(this.threshold * RELEASE, floor));
  }

  // level: RMS of the last frame, 0…1, at `now` (its end); position: where that frame began
  // (optional), `began`: when (its start, default now). Returns true once the answer is over.
  feed(level, now, position = null, began = now) {
    // The room is heard before speech and in real pauses, not in the soft parts of words.
    const idle = !this.heardSpeech ? this.loudSince === null : this.quietFor(now) >= NOISE_PAUSE_MS;
    if (idle && level < this.threshold) this.trackNoise(level);
    if (level >= this.release) {
      this.quietSince = null;
      this.quietFrom = null;
      if (level >= this.threshold || this.loudSince !== null) {
        if (this.loudSince === null) this.loudSince = now;
        // A click or a cough is not speech: it has to last a moment.
        if (now - this.loudSince >= this.minSpeechMs) this.heardSpeech = true;
      }
      return false;
    }
    this.loudSince = null;
    if (!this.heardSpeech) return false;
    if (this.quietSince === null) {
      this.quietSince = began;
      this.quietFrom = position;
    }
    return now - this.quietSince >= this.silenceMs;
  }

  // The noise floor: falls at once to a quieter level, rises slowly (speech must not lift it).
  trackNoise(level) {
    if (this.noise === null || level < this.noise) this.noise = level;
    else this.noise += (level - this.noise) * NOISE_RISE;
  }

  // How long it has been quiet after speech (0 while speaking, or before any speech): a pause.
  quietFor(now) {
    return this.heardSpeech && this.quietSince !== null ? now - this.quietSince : 0;
  }
}
