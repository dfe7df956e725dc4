// A session's current converse turn as this page sees it: a plain record kept on the session
// (s.turn, so window.clawmux.state shows it) and the only functions that change it, one per
// message or event. conversation.js calls them; nothing else writes the record.
//
// The hub's machine (Sources/Hub/Converse/ConverseMachine.swift):
//   idle → speaking → awaitingPlayback → listening → transcribing → idle
// The page's view of the same turn (`phase`):
//   idle          no turn seen yet, or the session ended
//   speaking      the agent's words and audio arrive and play (the hub's speaking and awaitingPlayback)
//   listening     the hub waits for this page's answer: recording it, or the mic is offered
//   transcribing  the answer went out (or waits in the outbox); the hub turns it into text
//   done          the hub ended the turn: answered, muted, no answer wanted, cancelled, another tab answered
//
// Transitions (any phase may take any of them: the hub's replays after a reconnect, a second tab
// and barge-in make other orders real):
//   started(tag)   → speaking      a message names a turn this page has not seen
//   speaking(kind) → speaking      the turn's words arrive (with its kind), or its audio starts over
//   played()       (phase kept)    the turn's audio was heard to its end, or cut short
//   listening()    → listening     the hub asks for the answer (or the page records one at once)
//   transcribing() → transcribing  the answer went out
//   done()         → done          the hub said `done`
//   ended()        → idle          the session ends: nothing waits for the page any more
//
// What the page decides reads `tag`, `kind`, `played` and `done`; `phase` names where the turn is. The
// three flags change exactly where they always did, which is not always with the phase: `played`
// belongs to the turn's audio (only new audio clears it, not a new tag), and `done` holds until
// the next tag, whatever arrives after it.

export function newTurn() {
  return {
    tag: null,        // the hub's name for the turn (`turn` on its messages); null until one is named
    kind: null,       // question | message | permission | report (assistant_text's kind); null: not said
    phase: 'idle',    // idle | speaking | listening | transcribing | done
    played: false,    // its audio played to the end, or the user cut it short: playback_done/interrupt went out
    done: false,      // the hub said `done`: the turn wants no (more) answer
  };
}

// A new tag is a new converse at the hub, which always begins by speaking; a page that joins
// later moves on with the same message (listening, done). The last turn's done does not carry over.
export function started(turn, tag) {
  turn.tag = tag;
  turn.kind = null;
  turn.done = false;
  turn.phase = 'speaking';
}

// The agent's words (assistant_text, which says the turn's kind), or audio that replaces the
// turn's player: not heard yet.
export function speaking(turn, kind = null) {
  if (kind) turn.kind = kind;
  turn.played = false;
  turn.phase = 'speaking';
}

// The player ended (playback_done sent) or the user barged in (interrupt sent): the hub has
// heard from us, so a replay of the same audio only repeats playback_done.
export function played(turn) {
  turn.played = true;
}

// The hub waits for an answer (listening, barge-in, a refused recording to record again).
export function listening(turn) {
  turn.phase = 'listening';
}

// Our answer (a recording, or the empty one of a muted mic) is on its way to the hub.
export function transcribing(turn) {
  turn.phase = 'transcribing';
}

// The hub ended the turn: a tap on its still-playing audio only silences it.
export function done(turn) {
  turn.done = true;
  turn.phase = 'done';
}

// The session is gone or dead: its player and mic were dropped, nothing is pending.
export function ended(turn) {
  turn.phase = 'idle';
}
