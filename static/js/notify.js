// Browser notifications for an agent that needs the user while the page is hidden. The page asks
// for the permission once, on a gesture; whatever the answer (a dismissed prompt too) it never
// asks again. A click brings the page to the front with that session selected.
import { note } from './log.js';
import { loadSetting, saveSetting } from './util.js';

const ASKED = 'clawmux.notify.asked';
const ICON = '/static/icons/icon-192.png';
let onChoose = null;   // (session_id) => select it

const supported = () => typeof Notification !== 'undefined';

export function bindNotifications(choose) {
  onChoose = choose;
  // A notification shown by the service worker (phones allow no other) is clicked there.
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      const data = event.data || {};
      if (data.type === 'select-session' && data.session_id) chosen(data.session_id);
    });
  }
}

// From a tap or a click only: browsers refuse (and some punish) asking without one.
export function askNotificationsOnce() {
  if (!supported() || Notification.permission !== 'default' || loadSetting(ASKED) === '1') return;
  saveSetting(ASKED, '1');
  note('notify-asked');
  try {
    Promise.resolve(Notification.requestPermission())
      .then((permission) => note('notify-permission', { permission }))
      .catch(() => {});
  } catch { /* an old browser's callback-only API: ignore */ }
}

// Shown only while nobody looks at the page; one per session at a time (a newer one replaces it).
export function notify(sessionId, title, body) {
  if (document.visibilityState !== 'hidden') return;
  const permission = supported() ? Notification.permission : 'unsupported';
  note('notify', { session_id: sessionId, title, body, permission });
  if (permission !== 'granted') return;
  const options = { body, tag: `clawmux-${sessionId}`, icon: ICON, data: { session_id: sessionId } };
  try {
    const shown = new Notification(title, options);
    shown.onclick = () => { shown.close(); chosen(sessionId); };
  } catch {
    // Android Chrome has no page notifications: only the service worker may show them.
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.getRegistration()
      .then((registration) => registration && registration.showNotification(title, options))
      .catch((error) => note('notify-failed', { session_id: sessionId, error: String(error) }));
  }
}

function chosen(sessionId) {
  note('notify-click', { session_id: sessionId });
  try { window.focus(); } catch { /* not allowed here */ }
  if (onChoose) onChoose(sessionId);
}
