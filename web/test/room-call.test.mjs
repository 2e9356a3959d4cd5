// The room page's pure helpers: quality caps, the server timer, reconnect backoff, SDP sessions.
// Run: `node --test test/` from web/ (no browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceErrorText } from '../src/js/room/devices.js';
import { sdpSession } from '../src/js/room/peers.js';
import { capsFor, summarise } from '../src/js/room/quality.js';
import { backoffMs } from '../src/js/room/socket.js';
import { countdownText, dueWarning, extensionChoices, secondsLeft } from '../src/js/room/timer.js';

test('caps fall as the room grows', () => {
  assert.deepEqual(capsFor({ peerCount: 1 }), { maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30, active: true });
  assert.equal(capsFor({ peerCount: 2 }).maxBitrate, 600_000);
  assert.equal(capsFor({ peerCount: 3 }).scaleResolutionDownBy, 2);
  assert.deepEqual(capsFor({ peerCount: 5 }), { maxBitrate: 300_000, scaleResolutionDownBy: 3, maxFramerate: 15, active: true });
  assert.deepEqual(capsFor({ peerCount: 7 }), { maxBitrate: 200_000, scaleResolutionDownBy: 4, maxFramerate: 15, active: true });
  assert.equal(capsFor({ peerCount: 7, speaking: true }).maxBitrate, 300_000);
});

test('the active speaker sends one tier up, only in a group', () => {
  assert.equal(capsFor({ peerCount: 1, speaking: true }).maxBitrate, 1_500_000);
  assert.equal(capsFor({ peerCount: 2, speaking: true }).maxBitrate, 1_000_000);
  assert.equal(capsFor({ peerCount: 4, speaking: true }).maxBitrate, 600_000);
});

test('a limited encoder halves its bitrate; a poor link goes audio only; a screen keeps its resolution', () => {
  const limited = capsFor({ peerCount: 4, limited: true });
  assert.deepEqual([limited.maxBitrate, limited.scaleResolutionDownBy, limited.maxFramerate], [150_000, 4, 15]);
  assert.equal(capsFor({ peerCount: 2, poor: true }).active, false);
  const screen = capsFor({ peerCount: 4, screen: true });
  assert.deepEqual([screen.scaleResolutionDownBy, screen.maxFramerate], [1, 15]);
});

test('getStats is summarised to what the caps use', () => {
  const report = new Map([
    ['o', { type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'bandwidth' }],
    ['p', { type: 'candidate-pair', nominated: true, state: 'succeeded', availableOutgoingBitrate: 90_000, currentRoundTripTime: 0.05 }],
    ['a', { type: 'inbound-rtp', kind: 'audio', audioLevel: 0.3 }],
    ['v', { type: 'inbound-rtp', kind: 'video', framesDecoded: 10, frameWidth: 640, frameHeight: 360, bytesReceived: 5 }],
  ]);
  const s = summarise(report);
  assert.equal(s.limitation, 'bandwidth');
  assert.equal(s.availableOutgoingBitrate, 90_000);
  assert.equal(s.audioLevel, 0.3);
  assert.equal(s.video.frameWidth, 640);
});

test('the countdown reads the server clock and shows overtime', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  // The browser's clock is a minute slow: the server says it is 10:01, so 4 minutes are left, not 5.
  assert.equal(secondsLeft('2026-11-29T10:05:00Z', 60_000, now), 240);
  assert.equal(countdownText(240), '4:00');
  assert.equal(countdownText(3725), '1:02:05');
  assert.equal(countdownText(-187), '+3:07');
  assert.equal(countdownText(null), '');
});

test('warnings come once each, and only the nearer one when joining late', () => {
  const given = new Set();
  assert.equal(dueWarning(400, given), null);
  assert.equal(dueWarning(299, given), 300);
  assert.equal(dueWarning(250, given), null);
  assert.equal(dueWarning(59, given), 60);
  assert.equal(dueWarning(30, given), null);
  const late = new Set();
  assert.equal(dueWarning(40, late), 60);
  assert.equal(dueWarning(39, late), null);
  assert.equal(dueWarning(-5, new Set()), null);
});

test('extensions stay within 15 minutes in total', () => {
  assert.deepEqual(extensionChoices(0), [5, 10, 15]);
  assert.deepEqual(extensionChoices(5), [5, 10]);
  assert.deepEqual(extensionChoices(15), []);
});

test('reconnect waits grow with jitter and a ceiling', () => {
  assert.equal(backoffMs(0, () => 0), 250);
  assert.equal(backoffMs(3, () => 1), 4000);
  assert.equal(backoffMs(20, () => 1), 15_000);
  assert.ok(backoffMs(4, () => 0.5) <= 4000);
});

test('the SDP origin names the sender connection', () => {
  assert.equal(sdpSession('v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n'), '4611731400430051336');
  assert.equal(sdpSession(undefined), null);
});

test('a device that fails says what to do', () => {
  assert.match(deviceErrorText({ name: 'NotAllowedError' }, 'video'), /blocked the camera.*join with it off/);
  assert.match(deviceErrorText({ name: 'NotFoundError' }, 'audio'), /No microphone was found/);
  assert.match(deviceErrorText({ name: 'NotReadableError' }, 'video'), /in use by another app/);
});
