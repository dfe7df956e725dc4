// The order in which turns are heard, across all sessions: a permission question first, then a
// question, then a message or a report; within a priority, the order they came in. A session's
// turns never pass each other: its later turn waits for its earlier one, whatever their kinds.
// Plain logic on {sessionId, kind, arrival} items (players); floor.js plays what it says.

export const PRIORITY = { permission: 0, question: 1, message: 2, report: 2 };

const rank = (item) => PRIORITY[item.kind] ?? PRIORITY.question;
const before = (a, b) => rank(a) - rank(b) || a.arrival - b.arrival;

export function inOrder(items) {
  // Each session's items, oldest first: only the oldest of each may be heard next.
  const bySession = new Map();
  for (const item of [...items].sort((a, b) => a.arrival - b.arrival)) {
    if (!bySession.has(item.sessionId)) bySession.set(item.sessionId, []);
    bySession.get(item.sessionId).push(item);
  }
  const order = [];
  while (bySession.size) {
    let best = null;
    for (const [, list] of bySession) if (!best || before(list[0], best) < 0) best = list[0];
    order.push(best);
    const list = bySession.get(best.sessionId);
    list.shift();
    if (!list.length) bySession.delete(best.sessionId);
  }
  return order;
}
