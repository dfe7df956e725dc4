// What the page did, in order, for people debugging and for the browser tests
// (window.clawmux.log). Bounded: a long session must not grow it forever.

export const log = [];
const LIMIT = 2000;
const started = performance.now();
// The wall-clock time (ms since the epoch) of t = 0: a benchmark lines the page's log up with
// other processes' clocks (the hub's, the agent's).
export const origin = performance.timeOrigin + started;
// Now as wall-clock ms with the page's monotonic clock (Date.now() may step).
export const wallNow = () => performance.timeOrigin + performance.now();

export function note(type, fields = {}) {
  log.push({ t: Math.round(performance.now() - started), type, ...fields });
  if (log.length > LIMIT) log.splice(0, log.length - LIMIT);
}
