// Short sounds made with WebAudio (no files): "listening" (two rising notes: speak now) and
// "thinking" (one soft low note: your answer went to the agent).
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

const SHAPES = {
  listening: [[660, 0, 0.09], [880, 0.1, 0.11]],
  thinking: [[330, 0, 0.16]],
};

export function cue(name) {
  note('cue', { name });
  if (!enabled) return;
  try {
    context = context || new AudioContext();
    const start = context.currentTime + 0.01;
    for (const [frequency, offset, length] of SHAPES[name] || []) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.frequency.value = frequency;
      osc.type = 'sine';
      // A quick fade in and out: no clicks.
      gain.gain.setValueAtTime(0, start + offset);
      gain.gain.linearRampToValueAtTime(0.18, start + offset + 0.015);
      gain.gain.linearRampToValueAtTime(0, start + offset + length);
      osc.connect(gain).connect(context.destination);
      osc.start(start + offset);
      osc.stop(start + offset + length + 0.02);
    }
  } catch { /* audio unavailable: the visual state still says it */ }
}
