// Recording a room (partials/room-recording.html) and listing recordings (partials/session-recordings.html).
// `roomRecording`: everyone sees a live indicator while the room is recorded; the mentor starts it after
// a consent notice, and MediaRecorder records the mentor's camera with every voice in the room (the
// mentor's microphone and each remote participant's audio, mixed with WebAudio). The recorder's blobs
// become parts of ≥ 5 MB (S3's rule, but the last) uploaded while recording, so closing the tab loses at
// most the part still held. `sessionRecordings`: the session page's list, for its participants.
import Alpine from '@alpinejs/csp';
import { get, post } from '../api.js';
import { confirmAction } from '../confirm.js';
import { toast } from '../toasts.js';
import { listenToRoom, putBytes, room, roomMe, roomSessionId, sendToRoom } from './panel.js';
import { partCutter } from './parts.js';
import { sizeText } from './text.js';

const TIMESLICE_MS = 1000;
const MIX_EVERY_MS = 3000; // how often someone who joined mid-recording is added to the mix
const PART_ATTEMPTS = 4;
const MIME_TYPES = ['video/webm;codecs=vp9,opus', 'video/webm;codecs=vp8,opus', 'video/webm'];
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first WebM type this browser records, or '' when it records none of them. */
export function recordingMimeType() {
  if (typeof MediaRecorder === 'undefined') return '';
  return MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? '';
}

/**
 * The media to record: the mentor's camera (a clone, so turning the camera off in the room doesn't end
 * the recording) and one audio track mixing the mentor's microphone with every remote participant's
 * audio. The room page's store may name its local stream (`localStream`); remote streams are found on
 * the page's <video>/<audio> elements, so whatever the page renders is what is heard in the recording.
 */
async function recordableMedia() {
  const store = Alpine.raw(room());
  let local = store.localStream ? Alpine.raw(store.localStream) : null;
  let ownCapture = null;
  if (!local || !local.getTracks().some((track) => track.readyState === 'live')) {
    ownCapture = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    local = ownCapture;
  }
  const audio = new AudioContext();
  await audio.resume();
  const mix = audio.createMediaStreamDestination();
  const mixed = new Set();
  const addAudio = (stream) => {
    for (const track of stream.getAudioTracks()) {
      if (mixed.has(track.id) || track.readyState !== 'live') continue;
      mixed.add(track.id);
      audio.createMediaStreamSource(new MediaStream([track])).connect(mix);
    }
  };
  const addRemotes = () => {
    document.querySelectorAll('video, audio').forEach((element) => {
      if (element.srcObject instanceof MediaStream) addAudio(element.srcObject);
    });
  };
  addAudio(local);
  addRemotes();
  const video = local.getVideoTracks().find((track) => track.readyState === 'live');
  const tracks = [...(video ? [video.clone()] : []), ...mix.stream.getAudioTracks()];
  return {
    stream: new MediaStream(tracks),
    addRemotes,
    release() {
      tracks.forEach((track) => track.stop());
      ownCapture?.getTracks().forEach((track) => track.stop());
      audio.close().catch(() => {});
    },
  };
}

export function registerRoomRecording() {
  Alpine.data('roomRecording', () => {
    // The recorder's machinery stays out of Alpine's reactivity (MediaStream and friends don't like proxies).
    let recorder = null;
    let media = null;
    let cutter = null;
    let mixTimer = null;
    let uploads = Promise.resolve();
    let uploaded = [];
    let recordingId = null;
    let sessionId = '';
    let stopping = null;
    let stop = null;
    let onPageHide = null;
    let finishRecording = null;

    return {
      on: false, // the room is being recorded (the server's word, for everyone)
      announcement: '',
      phase: 'idle', // the mentor's recorder: idle | starting | recording | stopping | saved | failed
      problem: '',
      partsUploaded: 0,
      partsPending: 0,
      uploadedBytes: 0,
      supported: Boolean(recordingMimeType()),

      init() {
        stop = listenToRoom({
          welcome: (frame) => this.welcomed(frame),
          recording: (frame) => this.setOn(Boolean(frame.on)),
          ended: () => this.stopRecording({ tell: false }),
        });
        const store = room();
        if (typeof store.recording === 'boolean') this.on = store.recording;
        // For the room page's "End session": the server ends the room by completing the upload with the
        // parts it holds (aborting one with none), so the held tail must be uploaded first. Resolves when
        // the recording is saved (at once when nothing is recording).
        finishRecording = () => (recorder ? this.stopRecording({ tell: true }) : Promise.resolve());
        if (Alpine.store('room')) Alpine.store('room').finishRecording = finishRecording;
        // Leaving the page (closing the tab, navigating away) stops and uploads what it can.
        onPageHide = () => this.stopRecording({ tell: true });
        window.addEventListener('pagehide', onPageHide);
      },

      destroy() {
        window.removeEventListener('pagehide', onPageHide);
        const store = Alpine.store('room');
        if (store && store.finishRecording === finishRecording) store.finishRecording = null;
        stop?.();
        // Leaving the room page inside the app: finish the upload rather than lose it.
        if (recorder) this.stopRecording({ tell: true });
      },

      get isMentor() {
        const me = roomMe();
        return Boolean(me && me.room_role === 'mentor');
      },

      get busy() {
        return this.phase === 'starting' || this.phase === 'stopping';
      },

      get buttonLabel() {
        if (this.phase === 'starting') return 'Starting…';
        if (this.phase === 'stopping') return 'Saving…';
        return this.phase === 'recording' ? 'Stop recording' : 'Record';
      },

      get progressText() {
        const done = `${this.partsUploaded} ${this.partsUploaded === 1 ? 'part' : 'parts'} uploaded (${sizeText(this.uploadedBytes)})`;
        if (this.phase === 'recording') {
          if (!this.partsUploaded && !this.partsPending) return 'Recording; it uploads as it goes.';
          return this.partsPending ? `${done}, ${this.partsPending} uploading…` : done;
        }
        if (this.phase === 'stopping') return `Saving the recording… ${done}`;
        if (this.phase === 'saved') return 'Recording saved. Participants can download it from the session page.';
        return '';
      },

      welcomed(frame) {
        const recording = Boolean(frame.room && frame.room.recording);
        this.setOn(recording);
        // A mentor who reloaded mid-recording has no recorder any more: tell the room it stopped.
        if (recording && this.isMentor && !recorder && this.phase !== 'starting') {
          sendToRoom('recording', { on: false, recording_id: frame.room.recording_id || undefined });
        }
      },

      setOn(on) {
        if (on === this.on) return;
        this.on = on;
        this.announcement = on ? 'This session is now being recorded.' : 'Recording stopped.';
      },

      toggle() {
        if (this.phase === 'recording') return this.stopRecording({ tell: true });
        if (!this.busy) return this.startRecording();
        return null;
      },

      async startRecording() {
        const ok = await confirmAction({
          title: 'Record this session?',
          message: 'Everyone in the room will be told, and will see that it is recording until you stop.',
          details: 'Your camera and every voice in the room are recorded. Afterwards the recording is available to this session’s participants (and nobody else) on the session page.',
          confirmLabel: 'Start recording',
          cancelLabel: 'Not now',
        });
        if (!ok) return;
        this.phase = 'starting';
        this.problem = '';
        Object.assign(this, { partsUploaded: 0, partsPending: 0, uploadedBytes: 0 });
        uploaded = [];
        uploads = Promise.resolve();
        sessionId = roomSessionId();
        try {
          if (!recordingMimeType()) throw new Error('This browser can’t record WebM video. Try Chrome, Edge or Firefox.');
          media = await recordableMedia();
          // No camera (off or refused): record the voices alone rather than nothing.
          const withVideo = media.stream.getVideoTracks().length > 0;
          const mimeType = withVideo ? recordingMimeType() : 'audio/webm';
          const created = await post(
            `/api/sessions/${sessionId}/recordings`,
            { content_type: withVideo ? 'video/webm' : 'audio/webm' },
            { auth: true },
          );
          recordingId = created.recording_id;
          cutter = partCutter();
          recorder = new MediaRecorder(media.stream, { mimeType });
          recorder.ondataavailable = (event) => {
            const part = cutter && cutter.add(event.data);
            if (part) this.queuePart(part);
          };
          recorder.onerror = (event) => this.fail(`The recorder stopped: ${event.error ? event.error.message : 'unknown error'}.`);
          recorder.start(TIMESLICE_MS);
          mixTimer = setInterval(() => media && media.addRemotes(), MIX_EVERY_MS);
          this.phase = 'recording';
          sendToRoom('recording', { on: true, recording_id: recordingId });
          this.setOn(true);
        } catch (error) {
          this.release();
          this.fail(error.name === 'NotAllowedError' ? 'The browser refused the camera or microphone for recording.' : error.message);
        }
      },

      /** One part: a presigned URL per attempt, the bytes, the ETag kept for `complete`. Parts go one at a time. */
      queuePart(part) {
        this.partsPending += 1;
        const body = new Blob(part.blobs); // no type: the part URL is signed without a Content-Type
        uploads = uploads.then(async () => {
          for (let tried = 1; ; tried += 1) {
            try {
              const { url } = await post(`/api/sessions/${sessionId}/recordings/${recordingId}/parts`, { part_number: part.part_number }, { auth: true });
              const { etag } = await putBytes(url, body);
              if (!etag) throw new Error('the storage service sent no ETag for the part');
              uploaded.push({ part_number: part.part_number, etag });
              this.partsUploaded += 1;
              this.uploadedBytes += part.size;
              return;
            } catch (error) {
              if (tried >= PART_ATTEMPTS) {
                this.problem = `Part ${part.part_number} didn't upload (${error.message}). The recording may miss a piece.`;
                return;
              }
              await wait(1000 * 3 ** (tried - 1));
            }
          }
        }).finally(() => {
          this.partsPending -= 1;
        });
      },

      /** Stops the recorder, uploads the last part, completes the upload; `tell` the room it stopped. */
      stopRecording({ tell }) {
        if (!recorder) return stopping;
        if (stopping) return stopping;
        this.phase = 'stopping';
        const stopped = new Promise((resolve) => {
          recorder.addEventListener('stop', resolve, { once: true });
        });
        if (recorder.state !== 'inactive') recorder.stop();
        clearInterval(mixTimer);
        if (tell) sendToRoom('recording', { on: false, recording_id: recordingId });
        this.setOn(false);
        stopping = (async () => {
          await stopped; // the last dataavailable comes before stop
          const last = cutter && cutter.finish();
          if (last) this.queuePart(last);
          await uploads;
          this.release();
          const parts = [...uploaded].sort((a, b) => a.part_number - b.part_number);
          if (!parts.length) {
            this.fail(this.problem || 'Nothing was recorded.');
            return;
          }
          try {
            await post(`/api/sessions/${sessionId}/recordings/${recordingId}/complete`, { parts }, { auth: true });
            this.phase = 'saved';
            // Also said by a toast: ending the session takes the room (and this panel) away.
            toast('Recording saved: participants can download it from the session page.', 'success');
          } catch (error) {
            this.fail(`The recording couldn't be saved: ${error.message}`);
            toast(this.problem, 'error');
          }
        })().finally(() => {
          recorder = null;
          stopping = null;
        });
        return stopping;
      },

      release() {
        clearInterval(mixTimer);
        media?.release();
        media = null;
      },

      fail(message) {
        this.phase = 'failed';
        this.problem = message;
      },
    };
  });

  Alpine.data('sessionRecordings', () => {
    let loadedFor = '';
    let loadedAt = 0;
    const FRESH_MS = 4 * 60_000; // download URLs are short-lived: list again before using an old one
    return {
      recordingsStatus: 'idle', // idle | loading | ready | failed
      recordingsError: '',
      recordings: [],

      init() {
        this.maybeLoadRecordings();
        this.$watch('showRecordings', () => this.maybeLoadRecordings());
      },

      maybeLoadRecordings() {
        const key = this.showRecordings ? this.session.id : '';
        if (key && key !== loadedFor) {
          loadedFor = key;
          this.loadRecordings();
        }
      },

      /** Participants only: the mentor, a learner with a confirmed or attended seat, an admin. */
      get showRecordings() {
        if (!this.session || !this.user) return false;
        if (this.isOwner || this.user.role === 'admin') return true;
        const booking = this.viewer && this.viewer.booking;
        return Boolean(booking && ['confirmed', 'completed'].includes(booking.status));
      },

      async loadRecordings() {
        this.recordingsStatus = 'loading';
        try {
          const answer = await get(`/api/sessions/${this.session.id}/recordings`, { auth: true });
          const items = Array.isArray(answer) ? answer : answer.items ?? answer.recordings ?? [];
          this.recordings = items.filter((item) => item.status !== 'aborted').map((item) => ({
            ...item,
            id: item.recording_id ?? item.id,
            sizeText: item.size_bytes ? sizeText(item.size_bytes) : '',
          }));
          loadedAt = Date.now();
          this.recordingsStatus = 'ready';
        } catch (error) {
          this.recordingsStatus = 'failed';
          this.recordingsError = error.message;
        }
      },

      /** "about 25 min": the upload starts with the recording and completes when it stops. */
      recordingLabel(recording) {
        if (!recording.completed_at) return '';
        const minutes = Math.round((new Date(recording.completed_at) - new Date(recording.created_at)) / 60_000);
        return Number.isFinite(minutes) ? `about ${Math.max(1, minutes)} min` : '';
      },

      /** An old list's URL may have expired: list again, then follow the fresh one. */
      async download(recording, event) {
        if (Date.now() - loadedAt < FRESH_MS) return;
        event.preventDefault();
        await this.loadRecordings();
        const fresh = this.recordings.find((item) => item.id === recording.id);
        if (fresh && fresh.download_url) window.location.assign(fresh.download_url);
      },
    };
  });
}
