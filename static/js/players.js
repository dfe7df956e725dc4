// Every session's turn audio still to be heard: the current turn's player and, before it, ended
// turns' players still playing or waiting (a report that the agent's next question followed).
// A session's players are heard in this order; floor.js decides between sessions.
import { TurnPlayer } from './turn-player.js';

const current = new Map();   // session_id -> the TurnPlayer of its current turn (kept once over: a replay is not played twice)
const ended = new Map();     // session_id -> [ended turns' players still to be heard, oldest first]
let arrivals = 0;            // players made so far: the queue's arrival order
const entryAudio = new WeakMap();  // agent transcript entry -> Blob, for ▶ on its bubble

export const currentPlayer = (id) => current.get(id) || null;

export function newPlayer(id, { streaming, turn, kind, onended }) {
  const player = new TurnPlayer({ streaming, turn, onended });
  Object.assign(player, { sessionId: id, kind: kind || 'question', arrival: ++arrivals });
  current.set(id, player);
  return player;
}

// The session's turn changed. Its old player, if still to be heard and its turn is over at the
// hub (a report, a goodbye), is heard first; else it stops, and is returned when it was being
// heard (its end is to be noted).
export function retire(id) {
  const old = current.get(id);
  current.delete(id);
  if (!old || old.over) return null;
  if (old.turnDone) {
    ended.set(id, [...(ended.get(id) || []), old]);
    return null;
  }
  const heard = old.active;
  old.stop();
  return heard ? old : null;
}

// A player is over (heard, silenced, skipped): an ended turn's goes; the current one stays.
export function settle(id, player) {
  const list = (ended.get(id) || []).filter((p) => p !== player && !p.over);
  if (list.length) ended.set(id, list);
  else ended.delete(id);
}

// The session ended: returns its players that were being heard (stopped now).
export function dropSession(id) {
  const all = pendingOf(id);
  const heard = all.filter((p) => p.active);
  for (const player of all) player.stop();
  current.delete(id);
  ended.delete(id);
  return heard;
}

// What the session still has to say, in its order.
export const pendingOf = (id) => [...(ended.get(id) || []), current.get(id)].filter((p) => p && !p.over);

export const allPending = (ids) => ids.flatMap(pendingOf);

// The player heard right now (at most one: floor.js sees to it).
export function audible(ids) {
  return allPending(ids).find((p) => p.state === 'playing') || null;
}

// A turn's audio kept with its bubble, for ▶.
export function keepAudio(entry, blob) {
  if (entry && blob && !entryAudio.has(entry)) entryAudio.set(entry, blob);
}

export const audioOf = (entry) => entryAudio.get(entry) || null;
