// Short sounds made with WebAudio (no files), one shape per meaning: "listening" (two rising
// notes: speak now), "thinking" (one soft low note: your answer went to the agent), and what an
// agent needs: "permission" (three quick high notes, urgent), "question" (two bell notes: it
// asks you), "needs_you" (high-low-high: its terminal waits), "finished" (soft, descending).
import { note } from './log.js';
import { loadSetting, saveSetting } from './util.js';

let context = null;
let enabled = loadSetting('clawmux.cues', '1') === '1';

export const cuesEnabled = () => enabled;

export function setCuesEnabled(on) {
  enabled = on;
  saveSetting('clawmux.cues', on ? '1' : '0');
}

// Browsers start audio only after a gesture; called from the first tap.
export function unlockCues() {
  try {
    context = context || new AudioContext();
    if (context.state === 'suspended') context.resume();
  } catch { /* no WebAudio: no cues */ }
}

// notes: [frequency Hz, start s, length s]; wave and volume per shape.
const SHAPES = {
  listening: { notes: [[660, 0, 0.09], [880, 0.1, 0.11]] },
  thinking: { notes: [[330, 0, 0.16]] },
  permission: { wave: 'square', volume: 0.07, notes: [[1319, 0, 0.07], [1319, 0.1, 0.07], [1568, 0.2, 0.1]] },
  question: { wave: 'triangle', volume: 0.22, notes: [[587, 0, 0.14], [784, 0.16, 0.2]] },
  needs_you: { wave: 'triangle', volume: 0.22, notes: [[988, 0, 0.1], [740, 0.13, 0.1], [988, 0.26, 0.14]] },
  finished: { volume: 0.12, notes: [[784, 0, 0.14], [659, 0.14, 0.14], [523, 0.28, 0.26]] },
};

export function cue(name, sessionId = null) {
  note('cue', { name, session_id: sessionId });
  if (!enabled) return;
  const shape = SHAPES[name];
  if (!shape) return;
  try {
    context = context || new AudioContext();
    const start = context.currentTime + 0.01;
    for (const [frequency, offset, length] of shape.notes) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.frequency.value = frequency;
      osc.type = shape.wave || 'sine';
      // A quick fade in and out: no clicks.
      gain.gain.setValueAtTime(0, start + offset);
      gain.gain.linearRampToValueAtTime(shape.volume || 0.18, start + offset + 0.015);
      gain.gain.linearRampToValueAtTime(0, start + offset + length);
      osc.connect(gain).connect(context.destination);
      osc.start(start + offset);
      osc.stop(start + offset + length + 0.02);
    }
  } catch { /* audio unavailable: the visual state still says it */ }
}
