// Web push's pure helpers (src/js/pushing.js) and the app icons (icons.mjs). Run: `npm test`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { ICONS, ICONS_DIR, render } from '../icons.mjs';
import { base64UrlBytes, deviceLabel, notificationFrom, safeLink, subscriptionId } from '../src/js/pushing.js';

const ORIGIN = 'https://peerlearn.example';

test("a notification's click goes to a page of this site, never elsewhere", () => {
  assert.equal(safeLink('/sessions/01J?tab=room', ORIGIN), `${ORIGIN}/sessions/01J?tab=room`);
  for (const link of ['https://evil.example/x', '//evil.example/x', 'javascript:alert(1)', '', null, 42, '/\\evil.example']) {
    assert.ok(safeLink(link, ORIGIN).startsWith(`${ORIGIN}/`), `${link} stayed on the site`);
  }
  assert.equal(safeLink('https://evil.example/x', ORIGIN), `${ORIGIN}/notifications`);
});

test('a push payload becomes a notification with its title, body, tag, link and icon', () => {
  const { title, options } = notificationFrom(
    { id: 'n1', kind: 'session_moved', title: 'Session moved', body: 'Now at 18:00', link: '/sessions/s1', tag: 'session:s1' },
    ORIGIN,
  );
  assert.equal(title, 'Session moved');
  assert.equal(options.body, 'Now at 18:00');
  assert.equal(options.tag, 'session:s1');
  assert.equal(options.data.link, `${ORIGIN}/sessions/s1`);
  assert.equal(options.icon, '/icons/icon-192.png');
  assert.equal(notificationFrom('not json', ORIGIN).title, 'PeerLearn');
  assert.equal(notificationFrom({ id: 'x' }, ORIGIN).options.tag, 'peerlearn:x');
});

test("the VAPID key's bytes and a subscription's id are what the server uses", async () => {
  const key = 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8';
  const bytes = base64UrlBytes(key);
  assert.equal(bytes.length, 65);
  assert.equal(bytes[0], 4);
  // sha256("https://fcm.googleapis.com/fcm/send/abc")[:32], as peerlearn.notify.push_devices.subscription_id
  assert.equal(await subscriptionId('https://fcm.googleapis.com/fcm/send/abc'), '4e9bdab8bbe7189c00aebb0922fc49fe');
});

test('devices are named by browser and system', () => {
  const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
  const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  assert.equal(deviceLabel(android), 'Chrome on Android');
  assert.equal(deviceLabel(firefox), 'Firefox on Windows');
  assert.equal(deviceLabel(iphone), 'Safari on iOS');
});

function pixels(file, size) {
  const data = readFileSync(file);
  const chunks = [];
  for (let at = 8; at < data.length; ) {
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') chunks.push(data.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const rows = inflateSync(Buffer.concat(chunks));
  const out = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    assert.equal(rows[y * (size * 4 + 1)], 0, 'unfiltered rows');
    rows.copy(out, y * size * 4, y * (size * 4 + 1) + 1, (y + 1) * (size * 4 + 1));
  }
  return out;
}

test('the committed icons are exactly what icons.mjs draws from the favicon design', () => {
  for (const icon of ICONS) {
    assert.ok(pixels(join(ICONS_DIR, icon.file), icon.size).equals(render(icon)), `${icon.file}: run node icons.mjs`);
  }
});

test('the maskable icon fills its square and the regular one has transparent corners', () => {
  const [, regular, maskable] = ICONS.map(render);
  assert.equal(regular[3], 0); // top-left corner, alpha
  assert.equal(maskable[3], 255);
  assert.deepEqual([...maskable.subarray(0, 3)], [0x37, 0x30, 0xa3]);
});
