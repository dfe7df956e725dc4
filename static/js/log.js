// What the page did, in order, for people debugging and for the browser tests
// (window.clawmux.log). Bounded: a long session must not grow it forever.

export const log = [];
const LIMIT = 2000;
const started = performance.now();

export function note(type, fields = {}) {
  log.push({ t: Math.round(performance.now() - started), type, ...fields });
  if (log.length > LIMIT) log.splice(0, log.length - LIMIT);
}
