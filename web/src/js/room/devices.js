// Cameras, microphones and speakers: opening them with messages a person can act on, a microphone
// level meter (an AnalyserNode), a speaker test tone, and the one AudioContext the room shares (the
// knock and the meters use it; browsers allow it to start after a click).

let context = null;

/** The shared AudioContext, resumed (call from a click first: autoplay rules). */
export function audioContext() {
  const Ctor = window.AudioContext || window.webkitAudioContext;
  if (!Ctor) return null;
  if (!context) context = new Ctor();
  if (context.state === 'suspended') context.resume().catch(() => {});
  return context;
}

export const CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
export const MICROPHONE = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** What went wrong opening a device, in words (and what to do about it). */
export function deviceErrorText(error, kind) {
  const what = kind === 'video' ? 'camera' : 'microphone';
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Your browser blocked the ${what}. Allow it from the address bar's site settings, then try again — or join with it off.`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No ${what} was found. Plug one in and try again, or join with it off.`;
    case 'NotReadableError':
    case 'AbortError':
      return `Your ${what} is in use by another app or tab. Close it there and try again.`;
    default:
      return `Your ${what} didn't start${error?.message ? ` (${error.message})` : ''}.`;
  }
}

/** One track of `kind` ('audio' | 'video') or `{error}` with the words to show. */
export async function openTrack(kind, deviceId = '') {
  if (!navigator.mediaDevices?.getUserMedia) {
    return { error: 'This browser can’t use a camera or microphone here (it needs a secure https page).' };
  }
  const base = kind === 'video' ? CAMERA : MICROPHONE;
  const constraints = { [kind]: deviceId ? { ...base, deviceId: { exact: deviceId } } : base };
  try {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    return { track: stream.getTracks()[0] };
  } catch (error) {
    return { error: deviceErrorText(error, kind), name: error?.name };
  }
}

/** The devices of each kind, labelled once permission was given (unnamed ones numbered). */
export async function listDevices() {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const named = (kind, noun) =>
    all
      .filter((d) => d.kind === kind)
      .map((d, i) => ({ id: d.deviceId, label: d.label || `${noun} ${i + 1}` }));
  return { cameras: named('videoinput', 'Camera'), microphones: named('audioinput', 'Microphone'), speakers: named('audiooutput', 'Speaker') };
}

/** A level meter on `track`: `read()` -> 0..1 (RMS, lightly scaled), `stop()`. */
export function levelMeter(track) {
  const ctx = audioContext();
  if (!ctx || !track) return { read: () => 0, stop: () => {} };
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    read() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      return Math.min(1, Math.sqrt(sum / samples.length) * 4);
    },
    stop() {
      source.disconnect();
    },
  };
}

/** A short two-note chime through the chosen speaker, to check the person can hear the room. */
export async function playTestTone(sinkId = '') {
  const ctx = audioContext();
  if (!ctx) return false;
  if (sinkId && typeof ctx.setSinkId === 'function') await ctx.setSinkId(sinkId).catch(() => {});
  const start = ctx.currentTime + 0.05;
  [523.25, 783.99].forEach((frequency, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0, start + i * 0.35);
    gain.gain.linearRampToValueAtTime(0.25, start + i * 0.35 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.35 + 0.5);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + i * 0.35);
    osc.stop(start + i * 0.35 + 0.55);
  });
  return true;
}

/** The screen (or a window/tab), tuned for text; `{error}` when refused or unsupported. */
export async function openScreen() {
  if (!navigator.mediaDevices?.getDisplayMedia) return { error: 'This browser can’t share the screen.' };
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if ('contentHint' in track) track.contentHint = 'detail';
    return { track };
  } catch (error) {
    if (error?.name === 'NotAllowedError') return { cancelled: true };
    return { error: `The screen couldn't be shared${error?.message ? ` (${error.message})` : ''}.` };
  }
}
