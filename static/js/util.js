// Small helpers with no state of their own.

export const $ = (id) => document.getElementById(id);

export function loadSetting(key, fallback = null) {
  try { return localStorage.getItem(key) ?? fallback; } catch { return fallback; }
}

export function saveSetting(key, value) {
  try { localStorage.setItem(key, String(value)); } catch { /* private mode or file:// */ }
}

export function base64ToBytes(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

// Bytes as base64, without a FileReader round trip (for small, frequent chunks).
export function bytesToBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

// Browsers cannot play raw PCM (audio/pcm;rate=N) from a Blob: give it a WAV header.
export function pcmToWav(pcm, rate) {
  const header = new DataView(new ArrayBuffer(44));
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) header.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, 'RIFF'); header.setUint32(4, 36 + pcm.length, true); text(8, 'WAVE');
  text(12, 'fmt '); header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
  header.setUint32(24, rate, true); header.setUint32(28, rate * 2, true);
  header.setUint16(32, 2, true); header.setUint16(34, 16, true);
  text(36, 'data'); header.setUint32(40, pcm.length, true);
  return new Blob([header.buffer, pcm], { type: 'audio/wav' });
}

// "audio/pcm;rate=22050" -> {kind: 'pcm', rate: 22050}; "audio/mpeg" -> {kind: 'mpeg'}; else a blob type.
export function parseFormat(format) {
  const base = String(format || 'audio/mpeg').split(';')[0].trim().toLowerCase();
  if (base === 'audio/pcm' || base === 'audio/l16') {
    return { kind: 'pcm', rate: Number((/rate=(\d+)/i.exec(format) || [])[1]) || 24000, mime: base };
  }
  if (base === 'audio/mpeg' || base === 'audio/mp3') return { kind: 'mpeg', mime: 'audio/mpeg' };
  return { kind: 'blob', mime: base };
}

export function formatTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function concatBytes(chunks) {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.length; }
  return out;
}

// A voice as the selects show it: "Sky (af_sky)", or the id alone.
export function voiceName(v) {
  return v.label && v.label !== v.id ? `${v.label} (${v.id})` : v.id;
}
