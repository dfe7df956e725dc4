// The installed app's service worker, for the app shell only: the page, its style, its modules
// and icons. Network first, so a new deploy is used at once; the cache only when the hub cannot
// be reached, so a phone still opens the app (and shows "reconnecting…"). Nothing else is
// touched: /api/, /ws, /hooks/, /mcp/, audio, a URL with a query (?token=) go straight to the hub.
// The hub serves this file at /sw.js, so its scope is the whole site.

const CACHE = 'clawmux-shell-v3';
// Every file the page loads: a module missing here breaks the offline start (the browser test
// "cockpit" compares this list with what the page loaded).
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/static/hub.css',
  '/static/icons/icon.svg',
  '/static/icons/icon-192.png',
  '/static/icons/icon-512.png',
  '/static/js/activity.js',
  '/static/js/announce.js',
  '/static/js/api.js',
  '/static/js/attention.js',
  '/static/js/audio-segments.js',
  '/static/js/connection.js',
  '/static/js/conversation.js',
  '/static/js/cues.js',
  '/static/js/end-word.js',
  '/static/js/floor.js',
  '/static/js/hub-link.js',
  '/static/js/log.js',
  '/static/js/main.js',
  '/static/js/mic-worklet.js',
  '/static/js/mic.js',
  '/static/js/new-session.js',
  '/static/js/notify.js',
  '/static/js/permission-cards.js',
  '/static/js/permissions.js',
  '/static/js/play-queue.js',
  '/static/js/players.js',
  '/static/js/prompts.js',
  '/static/js/push-to-talk.js',
  '/static/js/queue-view.js',
  '/static/js/recorder.js',
  '/static/js/recording-send.js',
  '/static/js/recording-upload.js',
  '/static/js/sessions.js',
  '/static/js/toast.js',
  '/static/js/turn-phase.js',
  '/static/js/turn-player.js',
  '/static/js/util.js',
  '/static/js/vad.js',
  '/static/js/view.js',
];
const IN_SHELL = new Set(SHELL);

self.addEventListener('install', (event) => {
  // One file the hub does not serve must not stop the others from being kept.
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(SHELL.map((path) => fetch(path, { cache: 'no-cache' })
      .then((response) => (response.ok ? cache.put(path, response) : null))
      .catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Not answered here: the browser fetches it as if there were no worker.
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.search || !IN_SHELL.has(url.pathname)) return;
  event.respondWith(networkFirst(event, url.pathname));
});

async function networkFirst(event, path) {
  try {
    const response = await fetch(event.request);
    if (response.ok && response.type === 'basic' && !response.redirected) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(path, copy)).catch(() => {}));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(path, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

// A notification the page could not show itself (phones): a click brings the app to the front
// and selects the session that asked.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const sessionId = event.notification.data && event.notification.data.session_id;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
    const page = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (!page) return self.clients.openWindow('/');
    page.postMessage({ type: 'select-session', session_id: sessionId });
    return page.focus();
  }));
});
