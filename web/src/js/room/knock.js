// The mentor's knock: a short sound made with WebAudio (no audio file to download) for each
// learner who arrives in the waiting room, and a browser notification when the tab is hidden and
// the mentor allowed them, so an arrival is noticed even from another tab.
import { audioContext } from './devices.js';

/** Two soft knocks: short bursts of filtered noise with a fast decay, like knuckles on wood. */
export function playKnock() {
  const ctx = audioContext();
  if (!ctx) return;
  const length = Math.floor(ctx.sampleRate * 0.08);
  const buffer = ctx.createBuffer(1, length, ctx.sampleRate);
  const data = buffer.getChannelData(0);
  for (let i = 0; i < length; i++) data[i] = (Math.random() * 2 - 1) * (1 - i / length) ** 3;
  [0, 0.18].forEach((delay) => {
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    const filter = ctx.createBiquadFilter();
    filter.type = 'bandpass';
    filter.frequency.value = 180;
    filter.Q.value = 1.2;
    const gain = ctx.createGain();
    gain.gain.value = 1.6;
    source.connect(filter).connect(gain).connect(ctx.destination);
    source.start(ctx.currentTime + 0.02 + delay);
  });
}

export function notificationsSupported() {
  return typeof window.Notification === 'function';
}

export function notificationPermission() {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

/** Asks once (from a click: browsers refuse otherwise). */
export async function askNotifications() {
  if (!notificationsSupported() || Notification.permission !== 'default') return notificationPermission();
  return Notification.requestPermission();
}

/** "Asha is waiting to join" when the tab is hidden and notifications are allowed. */
export function notifyArrival(name, title) {
  if (!notificationsSupported() || Notification.permission !== 'granted' || !document.hidden) return;
  try {
    const note = new Notification(`${name} is waiting to join`, { body: title, tag: `knock-${name}`, silent: true });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the sound is still there.
  }
}
