// Short messages at the top of the page; errors stay in state.lastError for tests.
import { $ } from './util.js';

let lastError = null;
export const lastToastError = () => lastError;

export function toast(message, kind = 'error') {
  const el = document.createElement('div');
  el.className = 'toast ' + kind;
  el.textContent = message;
  el.onclick = () => el.remove();
  $('toasts').appendChild(el);
  setTimeout(() => el.remove(), 6000);
  if (kind === 'error') lastError = message;
}
