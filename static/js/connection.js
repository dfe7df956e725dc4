// The browser WebSocket to the hub: reconnects with backoff (0.5 s doubling to 8 s), announces
// what this page can do in `hello`, and keeps what the user said (recordings, barge-ins) while
// the socket is down, to send once it is back.
import { withToken } from './api.js';
import { note } from './log.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 8000;
export const CAPABILITIES = ['audio_stream', 'transcript', 'activity', 'permissions', 'prompts'];
const KEPT_TYPES = new Set(['audio', 'interrupt']);

export class HubConnection {
  constructor({ onmessage, onstate }) {
    this.onmessage = onmessage;
    this.onstate = onstate;       // (connecting | connected | reconnecting)
    this.socket = null;
    this.backoff = BACKOFF_MIN_MS;
    this.timer = null;
    this.outbox = [];
    this.epoch = 0;   // counts connections: a message sent on an older one may be lost
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return withToken(`${scheme}//${location.host}/ws`);
  }

  connect() {
    clearTimeout(this.timer);
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch (error) {
      console.warn('WebSocket failed', error);
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.backoff = BACKOFF_MIN_MS;
      this.epoch += 1;
      note('ws-open');
      socket.send(JSON.stringify({ type: 'hello', capabilities: CAPABILITIES }));
      note('hello', { capabilities: CAPABILITIES });
      while (this.outbox.length && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(this.outbox.shift()));
      this.onstate('connected');
    };
    socket.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { console.warn('not JSON', event.data); return; }
      this.onmessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      note('ws-close');
      this.retry();
    };
    socket.onerror = () => { /* a close event follows */ };
  }

  retry() {
    this.onstate('reconnecting');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
  }

  // Sent now, or (what the user said) kept for the next connection. True when sent now.
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    if (KEPT_TYPES.has(message.type)) this.outbox.push(message);
    return false;
  }

  hasQueued(sessionId, type) {
    return this.outbox.some((m) => m.session_id === sessionId && (!type || m.type === type));
  }
}
