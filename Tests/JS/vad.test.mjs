// VoiceActivity (static/js/vad.js): when the page decides that an answer is over.
//   node --test --test-reporter=tap Tests/JS/*.test.mjs   (HubTests/PageLogicTests runs it)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageModule } from './page-modules.mjs';

const { VAD_DEFAULTS, VoiceActivity } = await pageModule('vad.js');

const RATE = 16000;

// A microphone fed to `vad` frame by frame, as the worklet does: each frame's level at its end
// (`now`, ms), with the sample position and the time where it began.
function microphone(vad, { frameMs = 20, passBegan = true } = {}) {
  const mic = { now: 0, position: 0, endedAt: null };
  // `level` for `ms`; returns whether the answer ended during it (and notes when, once).
  mic.play = (level, ms) => {
    let ended = false;
    for (let t = 0; t < ms; t += frameMs) {
      const began = mic.now, position = mic.position;
      mic.now += frameMs;
      mic.position += (RATE * frameMs) / 1000;
      const over = passBegan ? vad.feed(level, mic.now, position, began) : vad.feed(level, mic.now, position);
      if (over && mic.endedAt === null) mic.endedAt = mic.now;
      ended ||= over;
    }
    return ended;
  };
  return mic;
}

const defaults = () => new VoiceActivity({ threshold: VAD_DEFAULTS.threshold, silenceMs: VAD_DEFAULTS.silenceMs });

test('the defaults: speech from 0.015, a 900 ms pause ends an answer', () => {
  assert.equal(VAD_DEFAULTS.threshold, 0.015);
  assert.equal(VAD_DEFAULTS.silenceMs, 900);
});

test('silence before any speech never ends a recording (the user may still be thinking)', () => {
  const vad = defaults();
  const mic = microphone(vad);
  assert.equal(mic.play(0, 10000), false);
  assert.equal(mic.play(0.005, 5000), false);
  assert.equal(vad.heardSpeech, false);
  assert.equal(vad.quietFor(mic.now), 0);
});

test('a click shorter than minSpeechMs is not speech', () => {
  const vad = defaults();
  const mic = microphone(vad);
  mic.play(0.2, 100);
  assert.equal(mic.play(0, 3000), false);
  assert.equal(vad.heardSpeech, false);
});

test('after speech, 900 ms of quiet ends the answer; 850 ms does not', () => {
  const vad = defaults();
  const mic = microphone(vad, { frameMs: 50 });   // the MediaRecorder path's timer
  mic.play(0.05, 600);
  assert.equal(vad.heardSpeech, true);
  assert.equal(mic.play(0, 850), false, '850 ms is a pause, not the end');
  assert.equal(vad.quietFor(mic.now), 850);
  mic.play(0.05, 400);
  assert.equal(vad.quietFor(mic.now), 0, 'speech again: no pause');
  const quietFrom = mic.now;
  assert.equal(mic.play(0, 850), false);
  assert.equal(mic.play(0, 50), true);
  assert.equal(mic.endedAt - quietFrom, 900);
});

test('a 0.8 s pause inside a sentence, after a soft word end, does not end it at 900 ms', () => {
  // The soft end (0.011) is under the threshold but over the release level (0.6 × 0.015):
  // still speech, so the pause is measured as 0.8 s, not 0.9 s.
  const vad = defaults();
  const mic = microphone(vad);
  mic.play(0.05, 600);
  mic.play(0.011, 100);
  assert.equal(vad.quietFor(mic.now), 0, 'a soft word end is speech');
  assert.equal(mic.play(0, 800), false);
  assert.equal(vad.quietFor(mic.now), 800);
  mic.play(0.05, 600);
  assert.equal(mic.play(0.011, 100), false);
  const quietFrom = mic.now;
  assert.equal(mic.play(0, 2000), true);
  assert.equal(mic.endedAt - quietFrom, 900, 'the end comes 900 ms after the last word');
});

test('quietFrom is the position where the final quiet began', () => {
  const vad = defaults();
  const mic = microphone(vad);
  mic.play(0.05, 600);
  const firstPause = mic.position;
  mic.play(0, 400);
  assert.equal(vad.quietFrom, firstPause, 'during a pause: where it began');
  mic.play(0.05, 500);
  assert.equal(vad.quietFrom, null, 'speech again: no pause');
  const finalQuiet = mic.position;
  assert.equal(mic.play(0, 1000), true);
  assert.equal(vad.quietFrom, finalQuiet);
  assert.equal(finalQuiet, RATE * 1.5, '1.5 s of samples before it');
});

test('in a noisy room the release level rises to the threshold, so the answer still ends', () => {
  const vad = defaults();
  const mic = microphone(vad);
  assert.equal(mic.play(0.012, 1000), false, 'the room is not speech');
  mic.play(0.05, 1000);
  assert.equal(vad.heardSpeech, true);
  assert.equal(vad.release, VAD_DEFAULTS.threshold, 'the room (0.012) × 1.5 is above the threshold: capped there');
  const quietFrom = mic.now;
  assert.equal(mic.play(0.012, 2000), true, 'the room after speech is quiet');
  assert.equal(mic.endedAt - quietFrom, 900);
});

test('in a quiet room the release level is 0.6 × the threshold', () => {
  const vad = defaults();
  const mic = microphone(vad);
  mic.play(0.001, 500);
  assert.equal(vad.release, VAD_DEFAULTS.threshold, 'before speech: the threshold');
  mic.play(0.05, 500);
  assert.ok(Math.abs(vad.release - 0.6 * VAD_DEFAULTS.threshold) < 1e-12, `release ${vad.release}`);
});

test('with `began`, the quiet counts from the start of its first frame', () => {
  // 100 ms frames: the first quiet frame's 100 ms are quiet too.
  const timed = (passBegan) => {
    const mic = microphone(defaults(), { frameMs: 100, passBegan });
    mic.play(0.05, 1000);
    const quietFrom = mic.now;
    mic.play(0, 3000);
    return mic.endedAt - quietFrom;
  };
  assert.equal(timed(true), 900);
  assert.equal(timed(false), 1000, 'without it, from the end of that frame');
});
