// RecordingUpload (static/js/recording-upload.js): what a streamed recording sends the hub, and
// when it gives up so that the page sends the recording whole. The hub link is a stub.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { pageModule } from './page-modules.mjs';

const Hub = await pageModule('hub-link.js');
const { log } = await pageModule('log.js');
const { RecordingUpload } = await pageModule('recording-upload.js');

// The connection main.js would make: records what is sent; `accepts` false is a dead socket.
const hub = { sent: [], epoch: 1, accepts: true, send(message) { this.sent.push(message); return this.accepts; } };
Hub.useHub(hub);

beforeEach(() => {
  hub.sent = [];
  hub.epoch = 1;
  hub.accepts = true;
});

const samples = (count, value = 1) => new Int16Array(count).fill(value);
const decoded = (message) => {
  const bytes = Buffer.from(message.data, 'base64');
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
};

test('samples go in chunks of at least 100 ms, numbered, as 16-bit PCM', () => {
  const upload = new RecordingUpload('s1', 16000);
  upload.push(samples(1000, 7));
  assert.equal(hub.sent.length, 0, 'less than 100 ms waits');
  upload.push(samples(700, -3));
  assert.equal(hub.sent.length, 1);
  const [chunk] = hub.sent;
  assert.equal(chunk.type, 'recording_chunk');
  assert.equal(chunk.session_id, 's1');
  assert.equal(chunk.recording, upload.id);
  assert.equal(chunk.seq, 0);
  assert.equal(chunk.mime_type, 'audio/pcm;rate=16000');
  const pcm = decoded(chunk);
  assert.equal(pcm.length, 1700);
  assert.equal(pcm[0], 7);
  assert.equal(pcm[1699], -3);
  upload.push(samples(1600));
  assert.equal(hub.sent[1].seq, 1);
});

test('a pause sends what is pending, then where the quiet began', () => {
  const upload = new RecordingUpload('s1', 16000);
  upload.push(samples(500));
  upload.pause(400);
  assert.deepEqual(hub.sent.map((m) => m.type), ['recording_chunk', 'recording_pause']);
  assert.equal(decoded(hub.sent[0]).length, 500);
  assert.equal(hub.sent[1].samples, 400);
});

test('the end sends the rest and recording_end with where the speech ended', () => {
  const upload = new RecordingUpload('s1', 16000);
  upload.push(samples(2000));
  upload.push(samples(300));
  const noted = log.length;
  assert.equal(upload.end({ speechEnd: 1900, purpose: 'answer', turn: 't3', endWord: null }), true);
  assert.deepEqual(hub.sent.map((m) => m.type), ['recording_chunk', 'recording_chunk', 'recording_end']);
  const end = hub.sent[2];
  assert.equal(end.speech_end, 1900);
  assert.equal(end.purpose, 'answer');
  assert.equal(end.turn, 't3');
  assert.equal('end_word' in end, false);
  const streamed = log.slice(noted).find((e) => e.type === 'recording-streamed');
  assert.equal(streamed.chunks, 2);
  assert.equal(streamed.speech_end, 1900);
});

test('without a known speech end, recording_end has none', () => {
  const upload = new RecordingUpload('s1', 16000);
  upload.push(samples(1600));
  upload.end({ speechEnd: null, purpose: 'prompt', endWord: 'over' });
  const end = hub.sent.at(-1);
  assert.equal('speech_end' in end, false);
  assert.equal(end.end_word, 'over');
});

test('a new socket lost what the old one carried: the recording goes whole', () => {
  const upload = new RecordingUpload('s1', 16000);
  upload.push(samples(1600));
  hub.epoch = 2;
  upload.push(samples(1600));
  assert.equal(hub.sent.length, 1, 'nothing more on the new socket');
  assert.equal(upload.end({ speechEnd: null, purpose: 'answer' }), false);
  assert.equal(hub.sent.length, 1);
});

test('a send that fails stops the stream: the recording goes whole', () => {
  const upload = new RecordingUpload('s1', 16000);
  hub.accepts = false;
  upload.push(samples(1600));
  assert.equal(upload.broken, true);
  hub.accepts = true;
  assert.equal(upload.end({ speechEnd: null, purpose: 'answer' }), false);
  assert.equal(hub.sent.length, 1);
});

test('cancel tells the hub only about a recording it has heard of', () => {
  const quiet = new RecordingUpload('s1', 16000);
  quiet.push(samples(100));
  quiet.cancel();
  assert.equal(hub.sent.length, 0);
  const upload = new RecordingUpload('s1', 16000);
  upload.push(samples(1600));
  upload.cancel();
  assert.deepEqual(hub.sent.map((m) => m.type), ['recording_chunk', 'recording_cancel']);
  assert.equal(upload.end({ speechEnd: null, purpose: 'answer' }), false, 'cancelled: never ended');
});

test('each recording has its own id', () => {
  const a = new RecordingUpload('s1', 16000), b = new RecordingUpload('s1', 16000);
  assert.notEqual(a.id, b.id);
});
