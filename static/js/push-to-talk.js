// Push-to-talk: holding Space or the mic button records while held and sends on release, instead
// of waiting for a pause. A short press (under 300 ms) is a tap, as it always was: it starts
// (or stops and sends) a recording.
const HOLD_MS = 300;

// press(): the tap's action; returns the recording it started, or null. release(recording).
export function bindPushToTalk(mic, { press, release }) {
  let held = null;   // {recording, at, by: key|pointer}
  const down = (by) => { held = { recording: press(), at: performance.now(), by }; };
  const up = (by) => {
    if (!held || held.by !== by) return;
    const { recording, at } = held;
    held = null;
    if (recording && performance.now() - at >= HOLD_MS) release(recording);
  };
  mic.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    // The release counts even when the finger slides off the button.
    try { mic.setPointerCapture(e.pointerId); } catch { /* not capturable: still works on the button */ }
    down('pointer');
  });
  mic.addEventListener('pointerup', () => up('pointer'));
  mic.addEventListener('pointercancel', () => up('pointer'));
  // A long press must not open the phone's menu.
  mic.addEventListener('contextmenu', (e) => e.preventDefault());
  // Pointer presses were handled on pointerdown; a click from the keyboard (Enter) is a tap.
  mic.addEventListener('click', (e) => { if (e.detail === 0) press(); });
  return { keydown: () => down('key'), keyup: () => up('key') };
}
