// The hub connection, for the modules that send on it (main.js makes it): recordings, prompts'
// audio, playback_done and interrupt. Sent now, or (what the user said) kept for the next connection.
let connection = null;   // a HubConnection (connection.js)

export function useHub(hub) { connection = hub; }
export const send = (message) => connection.send(message);
export const hasQueued = (sessionId, type) => connection.hasQueued(sessionId, type);
export const epoch = () => connection.epoch;
