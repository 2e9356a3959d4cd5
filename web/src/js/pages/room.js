// /sessions/<id>/room: the live room. A lobby (device and connection check, the waiting room and,
// for the mentor, the knocks), then the call: a WebRTC mesh (room/peers.js) with adaptive quality
// (room/quality.js), the server's countdown (room/timer.js), hands, reactions and the mentor's
// controls. Shared state lives in `Alpine.store('room')` so the panels (chat, gifts, recording)
// can read it and use the socket without knowing this page.
import Alpine from '@alpinejs/csp';
import { get, post } from '../api.js';
import { REVIEW_TEXT_MAX } from '../catalog.js';
import { confirmAction } from '../confirm.js';
import { timeText, whenText, momentText } from '../format.js';
import { navigate } from '../router.js';
import { toast } from '../toasts.js';
import { audioContext, listDevices, levelMeter, openScreen, openTrack, playTestTone } from '../room/devices.js';
import { askNotifications, notificationPermission, notifyArrival, playKnock } from '../room/knock.js';
import { Mesh } from '../room/peers.js';
import { Quality } from '../room/quality.js';
import { RoomSocket } from '../room/socket.js';
import { countdownText, dueWarning, extensionChoices, secondsLeft, warningText } from '../room/timer.js';

export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉', '🙏', '🤔'];
const REACTION_SHOWN_MS = 3500;
const METER_EVERY_MS = 100;
const PANELS = ['people', 'hands', 'chat'];
const RATING_RETRIES = 6; // the booking turns `completed` a moment after the session ends (stream)

// The objects Alpine must not wrap in proxies (WebSocket, RTCPeerConnection, MediaStream): one set
// per page instance, kept outside the reactive component.
function freshMedia() {
  return { socket: null, mesh: null, quality: null, tracks: { audio: null, video: null, screen: null }, meter: null, preview: null, iceServers: [], meterTimer: null, resumeNeeded: false };
}

/** The store the room's panels build on (see room.html's panel slots). */
function freshStore() {
  const handlers = new Map(); // type -> Set, kept across reconnects and socket instances
  let socket = null;
  return {
    session: null, // GET /api/sessions/<id>
    me: null, // welcome.you: {user_id, name, room_role, status}
    room: null, // welcome.room (+ timer updates): {status, ends_at, mentor_present, ...}
    participants: [], // presence snapshot, without removed/left
    hands: [], // user_ids, in the order they were raised
    status: 'loading', // loading | lobby | room | ended | removed | replaced | refused | failed
    connection: 'idle', // the socket: idle | connecting | open | reconnecting | closed
    recording: false, // the mentor is recording (recordingId names the upload)
    recordingId: null,
    localStream: null, // what I send (microphone + camera or screen), for the recorder
    offsetMs: 0, // server clock - this browser's clock
    speaker: null, // user_id of the active speaker (groups of 3+)
    chatUnread: 0, // set by the chat panel: messages that arrived while it was out of sight
    finishRecording: null, // set by the recording panel: resolves once the recording is uploaded

    socket: {
      /** Sends `{action, ...payload}`; false when the socket is down. */
      send(action, payload = {}) {
        return socket ? socket.send(action, payload) : false;
      },
      /** Calls `handler(message)` for each server message of `type`; returns an unsubscribe. */
      on(type, handler) {
        if (!handlers.has(type)) handlers.set(type, new Set());
        handlers.get(type).add(handler);
        return () => handlers.get(type)?.delete(handler);
      },
    },
    /** The page wires a RoomSocket in; subscribers registered before that keep working. */
    attach(roomSocket) {
      socket = roomSocket;
      roomSocket.on('*', (message) => {
        for (const handler of [...(handlers.get(message.type) ?? [])]) {
          try {
            handler(message);
          } catch (error) {
            console.error(`room panel: handler for ${message.type} failed`, error);
          }
        }
      });
    },

    get isMentor() {
      return this.me?.room_role === 'mentor';
    },
    get isLearner() {
      return this.me?.room_role === 'learner';
    },
    get admitted() {
      return this.me?.status === 'admitted';
    },
    participant(userId) {
      return this.participants.find((p) => p.user_id === userId) ?? null;
    },
    nameOf(userId) {
      if (this.me && userId === this.me.user_id) return 'You';
      return this.participant(userId)?.name ?? 'Someone';
    },
    /** The server's time now, in ms (for anything time-bound: the timer, message ages). */
    serverNow() {
      return Date.now() + this.offsetMs;
    },
  };
}

export default () => {
  // WebSocket, RTCPeerConnections and MediaStreams stay outside Alpine's reactive component.
  const media = freshMedia();
  return {
    reactions: REACTIONS,
    reviewMax: REVIEW_TEXT_MAX,
    message: '', // why the room can't be shown (refused, failed)
    refusedCode: '',
    wantsIn: false, // the person pressed Join; enter as soon as admitted
    local: { audio: true, video: true, screen: false }, // what I send (toggles)
    check: {
      camera: 'pending', // pending | on | off | error | none
      cameraError: '',
      mic: 'pending',
      micError: '',
      micLevel: 0,
      cameras: [],
      microphones: [],
      speakers: [],
      cameraId: '',
      micId: '',
      speakerId: '',
      tonePlayed: false,
      rttMs: null,
    },
    versions: {}, // user_id -> counter, bumped when their stream or connection changes (re-binds video)
    states: {}, // user_id -> RTCPeerConnection.connectionState
    announcement: '', // polite live region: joins, leaves, hands, reactions
    urgent: '', // assertive live region: timer warnings, removal
    warning: null, // 300 | 60 while a timer warning shows
    warningsGiven: new Set(),
    floating: [], // reactions on screen: {id, emoji, name, left}
    muteAsk: null, // {unmute, from}: the mentor asks me to (un)mute
    poor: false,
    ending: false, // the mentor confirmed the end; a recording is being finished first
    notifications: 'default',
    panel: 'people', // on phones: people | hands | chat (the side panel's tab)
    rating: { value: 0, hover: 0, text: '', saving: false, error: '', done: false },
    ratingWords: ['', 'Poor', 'Fair', 'Good', 'Very good', 'Excellent'],
    seenArrivals: new Set(),

    // ------------------------------------------------------------------ lifecycle
    init() {
      Alpine.store('room', freshStore());
      this.notifications = notificationPermission();
      this.onOnline = () => this.networkBack();
      window.addEventListener('online', this.onOnline);
      window.__peerlearnRoom = {
        stats: () => this.testStats(),
        drop: () => media.socket?.drop(),
        state: () => ({ status: this.store.status, connection: this.store.connection, peers: { ...this.states } }),
      };
      this.load();
    },

    destroy() {
      window.removeEventListener('online', this.onOnline);
      delete window.__peerlearnRoom;
      this.teardown({ leave: true });
    },

    get store() {
      return Alpine.store('room');
    },

    get sessionId() {
      return Alpine.store('route').params.id;
    },

    async load() {
      try {
        this.store.session = await get(`/api/sessions/${encodeURIComponent(this.sessionId)}`);
        document.title = `Room: ${this.store.session.title} · PeerLearn`;
      } catch (error) {
        this.fail(error.status === 404 ? 'refused' : 'failed', error.message, error.code);
        return;
      }
      const socket = new RoomSocket({
        ticket: () => post(`/api/sessions/${encodeURIComponent(this.sessionId)}/room-ticket`, {}, { auth: true }),
        onState: (state, detail) => this.socketState(state, detail),
      });
      media.socket = socket;
      this.store.attach(socket);
      this.listen(socket);
      socket.connect();
      this.store.status = 'lobby';
      this.startCheck();
    },

    fail(status, message, code = '') {
      this.store.status = status;
      this.message = message;
      this.refusedCode = code;
    },

    teardown({ leave = false } = {}) {
      const m = media;
      if (leave) m.socket?.send('leave');
      m.socket?.close();
      m.quality?.stop();
      clearTimeout(m.iceTimer);
      m.mesh?.close();
      clearInterval(m.meterTimer);
      m.meter?.stop();
      for (const track of Object.values(m.tracks)) track?.stop();
      m.tracks = { audio: null, video: null, screen: null };
    },

    // ------------------------------------------------------------------ socket
    listen(socket) {
      socket.on('welcome', (msg) => this.welcome(msg));
      socket.on('presence', (msg) => this.presence(msg.participants));
      socket.on('knock', (msg) => this.knock(msg.participant));
      socket.on('admitted', () => {
        if (this.store.me) this.store.me.status = 'admitted';
        this.say('The mentor let you in.');
        if (this.wantsIn) this.enter();
      });
      socket.on('signal', (msg) => media.mesh?.signal(msg.from, msg.data));
      socket.on('hands', (msg) => this.handsChanged(msg.queue));
      socket.on('reaction', (msg) => this.reacted(msg.from, msg.emoji));
      socket.on('mute-request', (msg) => {
        this.muteAsk = { unmute: Boolean(msg.unmute), from: msg.from };
      });
      socket.on('muted', (msg) => {
        if (this.local.audio) this.setAudio(false);
        toast(`${this.store.nameOf(msg.by)} muted your microphone. You can unmute when you need to speak.`);
      });
      socket.on('timer', (msg) => {
        Object.assign(this.store.room ?? {}, {
          ends_at: msg.ends_at,
          booked_ends_at: msg.booked_ends_at,
          extended_minutes: msg.extended_minutes,
        });
        this.store.offsetMs = socket.offsetMs;
        this.warningsGiven = new Set();
        if (msg.extended_minutes) this.say(`The session now ends at ${timeText(msg.ends_at)}.`);
      });
      socket.on('room', (msg) => {
        if (this.store.room) Object.assign(this.store.room, { status: msg.status, opened_at: msg.opened_at });
        if (msg.status === 'open') this.say('The room is open.');
      });
      socket.on('recording', (msg) => {
        this.store.recording = Boolean(msg.on);
        this.store.recordingId = msg.recording_id ?? null;
      });
      socket.on('removed', () => {
        this.teardown();
        this.store.status = 'removed';
        this.urgent = 'The mentor removed you from this session.';
      });
      socket.on('replaced', () => {
        this.teardown();
        this.store.status = 'replaced';
      });
      socket.on('ended', (msg) => this.ended(msg?.by));
      socket.on('pong', () => {
        this.store.offsetMs = socket.offsetMs;
        this.check.rttMs = socket.lastRoundTripMs;
      });
      socket.on('error', (msg) => {
        // A signal to someone whose socket just dropped is refused; negotiation recovers on its own.
        if (msg.code === 'rate_limited' || msg.code === 'bad_message' || msg.ref === 'signal') return console.warn('room:', msg);
        toast(msg.message || 'The room refused that.', 'error');
      });
    },

    socketState(state, detail) {
      this.store.connection = state;
      if (media.mesh) media.mesh.signalingUp = state === 'open';
      if (state === 'reconnecting' && this.store.status === 'room') media.resumeNeeded = true;
      if (state === 'open') {
          // A server can't post to a socket during its $connect: ask for the room's state.
          media.socket.send('hello');
          media.socket.ping(); // the lobby's connection check
        }
      if (state === 'closed' && detail && this.store.status !== 'ended') {
        this.fail('refused', detail.message, detail.code);
        this.teardown();
      }
    },

    welcome(msg) {
      const store = this.store;
      const first = !store.me;
      store.me = msg.you;
      store.room = msg.room;
      store.hands = msg.hands ?? [];
      store.offsetMs = media.socket.offsetMs;
      store.recording = Boolean(msg.room.recording);
      store.recordingId = msg.room.recording_id ?? null;
      if (msg.room.status === 'ended') return this.ended();
      if (!media.mesh) {
        media.mesh = new Mesh({
          me: msg.you.user_id,
          send: (to, data) => media.socket.send('signal', { to, data, ref: 'signal' }),
          onChange: (id) => this.peerChanged(id),
          iceServers: () => media.iceServers,
        });
      }
      this.presence(msg.participants, { quiet: first });
      if (store.isMentor && first) {
        // Learners who arrived before the mentor: one knock for all of them, so none is missed.
        const waiting = this.waiting;
        waiting.forEach((p) => this.seenArrivals.add(p.user_id));
        if (waiting.length) {
          playKnock(); // browsers may hold it until the first click; the words are there either way
          this.say(`${waiting.length === 1 ? waiting[0].name + ' is' : waiting.length + ' people are'} waiting to join.`);
        }
      }
      if (store.status === 'room' && media.resumeNeeded) {
        // My socket came back (not the first welcome after being let in, which arrives while the
        // first offers are in flight): renegotiate what was lost while it was down.
        media.resumeNeeded = false;
        media.mesh.signalingUp = true;
        media.mesh.resume();
        this.sendMedia();
      } else if (this.wantsIn && store.admitted) {
        this.enter();
      }
    },

    presence(list, { quiet = false } = {}) {
      const store = this.store;
      const before = new Map(store.participants.map((p) => [p.user_id, p]));
      store.participants = list;
      const mine = list.find((p) => p.user_id === store.me?.user_id);
      if (mine && store.me) store.me.status = mine.status;
      if (store.room) store.room.mentor_present = list.some((p) => p.room_role === 'mentor' && p.connected);
      // Before my welcome, everyone already here isn't news.
      if (!quiet && store.me) {
        for (const p of list) {
          if (p.user_id === store.me?.user_id) continue;
          const old = before.get(p.user_id);
          if (p.status === 'admitted' && p.connected && !(old && old.status === 'admitted' && old.connected)) {
            this.say(`${p.name} joined.`);
          } else if (old && old.connected && !p.connected) {
            this.say(`${p.name} lost their connection.`);
          }
        }
        for (const old of before.values()) {
          if (!list.some((p) => p.user_id === old.user_id) && old.status === 'admitted') this.say(`${old.name} left.`);
        }
      }
      const mesh = media.mesh;
      if (mesh?.started) {
        mesh.sync(this.peerIds, this.admittedIds);
        // Their socket came back: an offer sent while it was down is lost; renegotiate.
        for (const p of list) {
          const old = before.get(p.user_id);
          if (old && !old.connected && p.connected) mesh.resync(p.user_id);
        }
      }
    },

    knock(participant) {
      if (!this.store.isMentor || !participant) return;
      this.seenArrivals.add(participant.user_id);
      playKnock();
      notifyArrival(participant.name, this.store.session?.title ?? '');
      this.say(`${participant.name} is waiting to join.`);
    },

    handsChanged(queue) {
      const store = this.store;
      const raised = queue.filter((id) => !store.hands.includes(id));
      store.hands = queue;
      raised.forEach((id) => this.say(`${store.nameOf(id)} raised a hand.`));
    },

    reacted(from, emoji) {
      const id = `${Date.now()}-${Math.random()}`;
      const name = this.store.nameOf(from);
      this.floating.push({ id, emoji, name, style: `left: ${10 + Math.round(Math.random() * 80)}%` });
      setTimeout(() => {
        this.floating = this.floating.filter((r) => r.id !== id);
      }, REACTION_SHOWN_MS);
      this.say(`${name} reacted ${emoji}`);
    },

    say(text) {
      // Re-set so a repeated sentence is announced again.
      this.announcement = '';
      this.$nextTick(() => {
        this.announcement = text;
      });
    },

    networkBack() {
      const socket = media.socket;
      if (socket && !socket.open && !socket.stopped) socket.reconnectNow();
      const mesh = media.mesh;
      if (mesh?.started) for (const id of mesh.peers.keys()) if (mesh.stateOf(id) !== 'connected') mesh.restart(id);
    },

    // ------------------------------------------------------------------ lobby: device check
    async startCheck() {
      if (this.isObserverRole) return;
      await Promise.all([this.openCamera(), this.openMic()]);
      await this.refreshDevices();
    },

    get isObserverRole() {
      const me = this.store.me;
      if (me) return me.room_role === 'observer';
      // Before the welcome: an admin who isn't this session's mentor comes in as an observer.
      const user = Alpine.store('session').user;
      return user?.role === 'admin' && user.id !== this.store.session?.mentor?.id;
    },

    async refreshDevices() {
      try {
        const { cameras, microphones, speakers } = await listDevices();
        Object.assign(this.check, { cameras, microphones, speakers });
        if (!cameras.length && this.check.camera !== 'on') this.check.camera = 'none';
        if (!microphones.length && this.check.mic !== 'on') this.check.mic = 'none';
      } catch {
        // Device lists are a nicety; the check above already says what works.
      }
    },

    async openCamera() {
      media.tracks.video?.stop();
      const { track, error } = await openTrack('video', this.check.cameraId);
      if (!track) {
        Object.assign(this.check, { camera: 'error', cameraError: error });
        this.local.video = false;
        media.tracks.video = null;
        this.bump('me');
        return;
      }
      media.tracks.video = track;
      Object.assign(this.check, { camera: 'on', cameraError: '' });
      this.local.video = true;
      if (this.store.status === 'room' && !this.local.screen) await media.mesh.setTrack('video', track);
      this.bump('me');
    },

    async openMic() {
      media.tracks.audio?.stop();
      const { track, error } = await openTrack('audio', this.check.micId);
      clearInterval(media.meterTimer);
      media.meter?.stop();
      if (!track) {
        Object.assign(this.check, { mic: 'error', micError: error, micLevel: 0 });
        this.local.audio = false;
        media.tracks.audio = null;
        return;
      }
      media.tracks.audio = track;
      if (this.check.mic !== 'on') this.local.audio = true; // it works now: on, as the check shows
      track.enabled = this.local.audio;
      Object.assign(this.check, { mic: 'on', micError: '' });
      media.meter = levelMeter(track);
      media.meterTimer = setInterval(() => {
        const level = media.tracks.audio?.enabled ? media.meter.read() : 0;
        if (Math.abs(level - this.check.micLevel) > 0.02) this.check.micLevel = Math.round(level * 100) / 100;
      }, METER_EVERY_MS);
      if (this.store.status === 'room') await media.mesh.setTrack('audio', track);
    },

    chooseCamera() {
      this.openCamera();
    },

    chooseMic() {
      this.openMic();
    },

    retryDevices() {
      audioContext();
      this.startCheck();
    },

    async testSpeaker() {
      this.check.tonePlayed = await playTestTone(this.check.speakerId);
    },

    testConnection() {
      this.check.rttMs = null;
      media.socket?.ping();
    },

    get micMeterStyle() {
      return `width: ${Math.round(this.check.micLevel * 100)}%`;
    },

    get micLevelPercent() {
      return Math.round(this.check.micLevel * 100);
    },

    get micLevelText() {
      return this.check.mic === 'on' ? `${this.micLevelPercent}%` : 'No microphone';
    },

    get connectionText() {
      const state = this.store.connection;
      if (state === 'open') return this.check.rttMs == null ? 'Connected — measuring…' : `Connected — ${this.check.rttMs} ms round trip`;
      if (state === 'reconnecting') return 'Reconnecting…';
      if (state === 'closed') return 'Not connected';
      return 'Connecting…';
    },

    get connectionOk() {
      return this.store.connection === 'open';
    },

    // ------------------------------------------------------------------ lobby: waiting room
    get waiting() {
      return this.store.participants.filter((p) => p.status === 'waiting' && p.connected !== false);
    },

    get present() {
      return this.store.participants.filter((p) => p.connected !== false);
    },

    /** Whether the room is open, and if not, from when the mentor may open it (local time). */
    get roomOpeningText() {
      const room = this.store.room;
      if (!room) return '';
      if (room.status === 'open') return 'The room is open.';
      const now = this.store.serverNow();
      const opens = room.opens_at ? new Date(room.opens_at) : null;
      if (this.store.isMentor) {
        if (opens && opens.getTime() > now) return `You can open the room from ${momentText(opens, Alpine.store('clock').now)}.`;
        return 'The room isn’t open yet: open it now, or it opens when you join at the start time.';
      }
      if (opens && opens.getTime() > now) return `The room opens at ${momentText(opens, Alpine.store('clock').now)}, when the mentor starts it.`;
      return 'The room opens when the mentor starts the session.';
    },

    get startsAtText() {
      const at = this.store.room?.starts_at || this.store.session?.starts_at;
      return at ? whenText(at) : '';
    },

    get untilStartText() {
      const at = this.store.room?.starts_at || this.store.session?.starts_at;
      if (!at) return '';
      const seconds = secondsLeft(at, this.store.offsetMs, Alpine.store('clock').now);
      return seconds > 0 ? countdownText(seconds) : '';
    },

    get mentorPresent() {
      return Boolean(this.store.room?.mentor_present);
    },

    get roomOpen() {
      return this.store.room?.status === 'open';
    },

    get lobbyText() {
      const store = this.store;
      if (!store.me) return this.store.connection === 'closed' ? '' : 'Connecting to the room…';
      if (store.isMentor) return this.roomOpen ? 'The room is open. Learners you let in join the call.' : 'The room isn’t open yet. Open it now or let learners in when you’re ready.';
      if (store.admitted) return 'You’re in. Join when your camera and microphone are ready.';
      if (!this.mentorPresent) return 'The mentor hasn’t arrived yet. You’ll be let in when they do.';
      return this.wantsIn ? 'You’re in the waiting room. The mentor will let you in shortly.' : 'The mentor is here. Press Join and they’ll let you in.';
    },

    get joinLabel() {
      if (this.store.admitted || this.store.isMentor) return 'Join now';
      return this.wantsIn ? 'Waiting to be let in…' : 'Ask to join';
    },

    get canJoin() {
      return Boolean(this.store.me) && this.store.connection === 'open' && !(this.wantsIn && !this.store.admitted);
    },

    join() {
      audioContext(); // a click: the knock and meters may play from now on
      this.wantsIn = true;
      // The mentor joining at (or after) the start time starts the session; earlier takes "Open now".
      const room = this.store.room;
      if (this.store.isMentor && room && room.status === 'waiting' && new Date(room.starts_at).getTime() <= this.store.serverNow()) {
        this.openNow();
      }
      if (this.store.admitted) this.enter();
      else this.say('You asked to join. The mentor will let you in.');
    },

    joinWithout(kind) {
      if (kind === 'video') this.local.video = false;
      if (kind === 'audio') this.local.audio = false;
    },

    async enableNotifications() {
      this.notifications = await askNotifications();
    },

    get notificationsAsk() {
      return this.store.isMentor && this.notifications === 'default';
    },

    // ------------------------------------------------------------------ entering the call
    async enter() {
      if (this.store.status === 'room') return;
      this.store.status = 'room';
      await this.loadIceServers();
      const mesh = media.mesh;
      const tracks = media.tracks;
      if (tracks.video && !this.local.video) {
        tracks.video.stop();
        tracks.video = null;
      }
      mesh.tracks = { audio: tracks.audio, video: tracks.video };
      mesh.signalingUp = this.store.connection === 'open';
      mesh.start(this.peerIds);
      media.quality = new Quality({
        mesh,
        local: () => ({ speakingLevel: this.local.audio ? this.check.micLevel / 4 : 0, screen: this.local.screen }),
        onSample: ({ stats, speaker, poor }) => this.sampled(stats, speaker, poor),
      });
      media.quality.start();
      this.sendMedia();
      this.bump('me');
      this.$nextTick(() => document.getElementById('room-controls')?.querySelector('button')?.focus());
    },

    /** Everyone admitted but me, connected or between two sockets. */
    get admittedIds() {
      const me = this.store.me?.user_id;
      return this.store.participants.filter((p) => p.status === 'admitted' && p.user_id !== me).map((p) => p.user_id);
    },

    /**
     * TURN credentials are time-limited: fetch them again before they lapse and hand them to every
     * connection, so an ICE restart late in a long session can still use the relay.
     */
    async loadIceServers() {
      clearTimeout(media.iceTimer);
      let ttlSeconds = 3600;
      try {
        const answer = await get('/api/rtc/ice-servers', { auth: true });
        media.iceServers = answer.ice_servers ?? [];
        ttlSeconds = answer.ttl_seconds || ttlSeconds;
      } catch {
        if (!media.iceServers) media.iceServers = []; // host candidates still work on a LAN or loopback
        ttlSeconds = 120; // try again soon
      }
      for (const peer of media.mesh?.peers.values() ?? []) {
        try {
          peer.pc.setConfiguration({ ...peer.pc.getConfiguration(), iceServers: media.iceServers });
        } catch (error) {
          console.warn('room: new ICE servers refused', error);
        }
      }
      if (this.store.status === 'room') media.iceTimer = setTimeout(() => this.loadIceServers(), ttlSeconds * 800);
    },

    get peerIds() {
      const me = this.store.me?.user_id;
      return this.store.participants.filter((p) => p.status === 'admitted' && p.connected && p.user_id !== me).map((p) => p.user_id);
    },

    sampled(stats, speaker, poor) {
      this.poor = poor;
      this.store.speaker = this.peerIds.length >= 2 ? speaker : null;
    },

    peerChanged(id) {
      this.states[id] = media.mesh?.stateOf(id) ?? 'closed';
      this.bump(id);
    },

    /** Keeps `store.localStream` (the recorder's source) on the tracks I send now. */
    syncOutgoing() {
      if (!media.outgoing) {
        media.outgoing = new MediaStream();
        this.store.localStream = media.outgoing;
      }
      const wanted = [media.tracks.audio, media.tracks.screen || media.tracks.video].filter(Boolean);
      media.outgoing.getTracks().forEach((t) => !wanted.includes(t) && media.outgoing.removeTrack(t));
      wanted.forEach((t) => !media.outgoing.getTracks().includes(t) && media.outgoing.addTrack(t));
    },

    bump(id) {
      this.versions[id] = (this.versions[id] ?? 0) + 1;
      if (id === 'me' && this.store.status === 'room') this.syncOutgoing();
    },

    // ------------------------------------------------------------------ tiles
    get tiles() {
      const store = this.store;
      const me = store.me;
      if (!me) return [];
      // Someone whose socket dropped stays while their media still flows (a signaling blip).
      const others = store.participants.filter(
        (p) => p.status === 'admitted' && p.user_id !== me.user_id && p.room_role !== 'observer' && (p.connected || this.states[p.user_id] === 'connected'),
      );
      const mine = {
        user_id: me.user_id,
        name: `${me.name} (you)`,
        room_role: me.room_role,
        audio: this.local.audio,
        video: this.local.video || this.local.screen,
        screen: this.local.screen,
        connected: store.connection === 'open',
        mine: true,
      };
      const list = me.room_role === 'observer' ? others : [mine, ...others];
      const speaker = store.speaker;
      return list.map((p) => ({
        ...p,
        speaking: speaker === p.user_id,
        state: p.mine ? 'connected' : this.states[p.user_id] ?? 'new',
        hand: store.hands.indexOf(p.user_id) + 1,
      }));
    },

    get gridClass() {
      const n = this.tiles.length;
      if (n <= 1) return 'sm:grid-cols-1';
      if (n === 2) return 'sm:grid-cols-2';
      return 'sm:grid-cols-2 lg:grid-cols-3';
    },

    tileClass(tile) {
      const big = tile.speaking && this.tiles.length >= 3 ? ' sm:col-span-2 sm:row-span-2' : '';
      return (tile.speaking ? 'ring-4 ring-brand-400' : 'ring-1 ring-slate-700') + big;
    },

    tileLabel(tile) {
      const bits = [tile.name];
      if (tile.room_role === 'mentor') bits.push('mentor');
      bits.push(tile.audio ? 'microphone on' : 'microphone off');
      if (tile.screen) bits.push('sharing the screen');
      else if (!tile.video) bits.push('camera off');
      if (tile.hand) bits.push(`hand raised, number ${tile.hand}`);
      if (!tile.mine && !tile.connected) bits.push('reconnecting');
      return bits.join(', ');
    },

    tileStatus(tile) {
      if (!tile.mine && !tile.connected) return 'Reconnecting…';
      if (!tile.mine && tile.state !== 'connected' && tile.state !== 'new') return tile.state === 'failed' ? 'Connection lost — retrying…' : 'Connecting…';
      return '';
    },

    /** Binds a tile's <video> to its stream; re-run by x-effect when `versions[id]` changes. */
    bindVideo(el, tile) {
      void this.versions[tile.user_id];
      void this.versions.me;
      let stream = null;
      if (tile.mine) {
        const track = media.tracks.screen || media.tracks.video;
        if (!media.preview) media.preview = new MediaStream();
        const preview = media.preview;
        preview.getTracks().forEach((t) => t !== track && preview.removeTrack(t));
        if (track && !preview.getTracks().includes(track)) preview.addTrack(track);
        stream = preview;
      } else {
        stream = media.mesh?.streamOf(tile.user_id) ?? null;
      }
      if (el.srcObject !== stream) el.srcObject = stream;
      if (stream && el.paused) el.play().catch(() => {});
      if (!tile.mine && this.check.speakerId && typeof el.setSinkId === 'function') el.setSinkId(this.check.speakerId).catch(() => {});
    },

    bindPreview(el) {
      void this.versions.me;
      const track = media.tracks.video;
      if (!media.lobbyPreview) media.lobbyPreview = new MediaStream();
      const preview = media.lobbyPreview;
      preview.getTracks().forEach((t) => t !== track && preview.removeTrack(t));
      if (track && !preview.getTracks().includes(track)) preview.addTrack(track);
      if (el.srcObject !== preview) el.srcObject = preview;
      if (track && el.paused) el.play().catch(() => {});
    },

    // ------------------------------------------------------------------ my media
    sendMedia() {
      if (this.isObserverRole) return;
      this.store.socket.send('media', { audio: this.local.audio, video: this.local.video, screen: this.local.screen });
    },

    setAudio(on) {
      const track = media.tracks.audio;
      if (on && !track) {
        this.openMic().then(() => {
          if (media.tracks.audio) this.setAudio(true);
        });
        return;
      }
      this.local.audio = on && Boolean(track);
      if (track) track.enabled = this.local.audio;
      this.muteAsk = null;
      this.sendMedia();
    },

    toggleMic() {
      this.setAudio(!this.local.audio);
    },

    async toggleCamera() {
      if (this.local.video) {
        // Off means off: the camera's light goes out, and the others stop receiving frames.
        this.local.video = false;
        media.tracks.video?.stop();
        media.tracks.video = null;
        if (!this.local.screen) await media.mesh?.setTrack('video', null);
      } else {
        await this.openCamera();
        if (this.check.camera !== 'on') toast(this.check.cameraError, 'error');
      }
      this.bump('me');
      this.sendMedia();
    },

    async toggleScreen() {
      if (this.local.screen) return this.stopScreen();
      const { track, error, cancelled } = await openScreen();
      if (!track) {
        if (!cancelled) toast(error, 'error');
        return;
      }
      media.tracks.screen = track;
      track.addEventListener('ended', () => this.stopScreen()); // the browser's own "Stop sharing"
      this.local.screen = true;
      await media.mesh.setTrack('video', track);
      this.bump('me');
      this.sendMedia();
      this.say('You are sharing your screen.');
    },

    async stopScreen() {
      const track = media.tracks.screen;
      if (!track) return;
      media.tracks.screen = null;
      track.stop();
      this.local.screen = false;
      await media.mesh?.setTrack('video', this.local.video ? media.tracks.video : null);
      this.bump('me');
      this.sendMedia();
      this.say('You stopped sharing your screen.');
    },

    answerMuteAsk(yes) {
      const ask = this.muteAsk;
      this.muteAsk = null;
      if (yes && ask) this.setAudio(ask.unmute);
    },

    get muteAskText() {
      if (!this.muteAsk) return '';
      const who = this.store.nameOf(this.muteAsk.from);
      return this.muteAsk.unmute ? `${who} asks you to unmute your microphone.` : `${who} asks you to mute your microphone.`;
    },

    get screenSupported() {
      return Boolean(navigator.mediaDevices?.getDisplayMedia);
    },

    // ------------------------------------------------------------------ hands and reactions
    get myHand() {
      const me = this.store.me?.user_id;
      return me ? this.store.hands.indexOf(me) + 1 : 0;
    },

    toggleHand() {
      this.store.socket.send(this.myHand ? 'lower-hand' : 'raise-hand');
    },

    get handQueue() {
      return this.store.hands.map((id, i) => ({ user_id: id, name: this.store.nameOf(id), position: i + 1 }));
    },

    lowerHand(userId) {
      this.store.socket.send('lower-hand', { user_id: userId });
    },

    react(emoji) {
      this.store.socket.send('react', { emoji });
    },

    // ------------------------------------------------------------------ mentor controls
    admit(userId) {
      this.store.socket.send('admit', { user_id: userId });
    },

    admitAll() {
      this.store.socket.send('admit', { all: true });
    },

    openNow() {
      this.store.socket.send('open');
    },

    askUnmute(userId) {
      this.store.socket.send('mute-request', { user_id: userId, unmute: true });
    },

    mute(userId) {
      this.store.socket.send('mute', { user_id: userId });
    },

    async remove(participant) {
      const ok = await confirmAction({
        title: `Remove ${participant.name}?`,
        message: 'They leave the call at once and can’t come back into this session.',
        confirmLabel: 'Remove',
        cancelLabel: 'Keep them',
        danger: true,
      });
      if (ok) this.store.socket.send('remove', { user_id: participant.user_id });
    },

    /** Minutes added so far (the `timer` message says; a welcome only carries both ends). */
    get extendedMinutes() {
      const room = this.store.room;
      if (!room) return 0;
      if (room.extended_minutes != null) return room.extended_minutes;
      if (!room.ends_at || !room.booked_ends_at) return 0;
      return Math.max(0, Math.round((new Date(room.ends_at) - new Date(room.booked_ends_at)) / 60_000));
    },

    get extensions() {
      return extensionChoices(this.extendedMinutes);
    },

    extend(minutes) {
      this.store.socket.send('extend', { minutes });
    },

    async endSession() {
      const ok = await confirmAction({
        title: 'End the session for everyone?',
        message: 'Everyone leaves the room and the session is marked completed. Learners are asked for a rating.',
        confirmLabel: 'End session',
        cancelLabel: 'Keep going',
        danger: true,
      });
      if (!ok) return;
      this.ending = true;
      // A recording in progress uploads its last part and completes first (the recording panel
      // sets `finishRecording`), so ending never loses the end of it.
      const finish = this.store.finishRecording;
      if (typeof finish === 'function') {
        try {
          await finish();
        } catch (error) {
          console.warn('room: the recording did not finish', error);
        }
      }
      this.ending = false;
      if (!this.store.socket.send('end')) {
        // The socket is down: the REST route ends the room the same way.
        try {
          await post(`/api/sessions/${encodeURIComponent(this.sessionId)}/end`, {}, { auth: true });
          this.ended();
        } catch (error) {
          toast(error.message, 'error');
        }
      }
    },

    others() {
      const me = this.store.me?.user_id;
      return this.store.participants.filter((p) => p.user_id !== me);
    },

    /** "mic on", "muted", "reconnecting" (socket gone, media still flowing) or "away". */
    personStatus(p) {
      if (p.connected) return p.audio ? 'mic on' : 'muted';
      return this.states[p.user_id] === 'connected' ? 'reconnecting' : 'away';
    },

    /** Admitted people but me; those away (tab closed, network gone) last. */
    get admittedOthers() {
      const admitted = this.others().filter((p) => p.status === 'admitted');
      return [...admitted.filter((p) => p.connected), ...admitted.filter((p) => !p.connected)];
    },

    // ------------------------------------------------------------------ leaving and the end
    async leave() {
      this.teardown({ leave: true });
      navigate(`/sessions/${encodeURIComponent(this.sessionId)}`);
    },

    ended(by) {
      this.teardown();
      this.store.status = 'ended';
      this.urgent = by === 'admin' ? 'A PeerLearn admin ended this session.' : 'The session has ended.';
      this.$nextTick(() => document.getElementById('room-ended')?.focus());
    },

    useThisTab() {
      // Another tab took over; the person chose this one: start again here (the other gets `replaced`).
      window.location.reload();
    },

    async submitRating() {
      const r = this.rating;
      r.error = '';
      if (!(r.value >= 1 && r.value <= 5)) {
        r.error = 'Choose a rating from 1 to 5 stars.';
        return;
      }
      const text = r.text.trim();
      if (text.length > REVIEW_TEXT_MAX) {
        r.error = `Keep your review under ${REVIEW_TEXT_MAX} characters.`;
        return;
      }
      r.saving = true;
      const body = text ? { rating: r.value, text } : { rating: r.value };
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await post(`/api/sessions/${encodeURIComponent(this.sessionId)}/reviews`, body, { auth: true });
            break;
          } catch (error) {
            // Right after the end the booking may not be `completed` yet: wait a moment and retry.
            if (error.code !== 'not_attended' || attempt >= RATING_RETRIES) throw error;
            await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
          }
        }
        r.done = true;
        toast('Thanks for your feedback!', 'success');
      } catch (error) {
        r.error = error.message;
        if (error.code === 'already_reviewed') r.done = true;
      } finally {
        r.saving = false;
      }
    },

    starClass(n) {
      return n <= (this.rating.hover || this.rating.value) ? 'text-amber-400' : 'text-slate-300';
    },

    // ------------------------------------------------------------------ timer
    get secondsLeft() {
      return secondsLeft(this.store.room?.ends_at, this.store.offsetMs, Alpine.store('clock').now);
    },

    get timerText() {
      return countdownText(this.secondsLeft);
    },

    /** Run each second by the timer's x-effect: gives the 5- and 1-minute warnings once each. */
    tickTimer() {
      const due = dueWarning(this.secondsLeft, this.warningsGiven);
      if (due) this.warn(due);
    },

    get timerLabel() {
      const s = this.secondsLeft;
      if (s == null) return '';
      return s < 0 ? `Overtime ${countdownText(s)}` : `${countdownText(s)} left, ends at ${timeText(this.store.room.ends_at)}`;
    },

    get timerClass() {
      const s = this.secondsLeft;
      if (s == null) return '';
      if (s < 0) return 'bg-rose-600 text-white';
      if (s <= 60) return 'bg-rose-100 text-rose-900 ring-2 ring-rose-500';
      if (s <= 300) return 'bg-amber-100 text-amber-900 ring-2 ring-amber-500';
      return 'bg-slate-800 text-white';
    },

    warn(at) {
      this.warning = at;
      this.urgent = warningText(at);
      setTimeout(() => {
        if (this.warning === at) this.warning = null;
      }, 10_000);
    },

    get endsAtText() {
      return this.store.room?.ends_at ? timeText(this.store.room.ends_at) : '';
    },

    // ------------------------------------------------------------------ panels and test hooks
    showPanel(name) {
      this.panel = name;
    },

    /** Arrow keys, Home and End move between the side panel's tabs (the ARIA tabs pattern). */
    movePanel(step) {
      const names = PANELS;
      const at = Math.min(names.length - 1, Math.max(0, names.indexOf(this.panel) + step));
      this.panel = names[at];
      document.getElementById(`room-tab-${this.panel}`)?.focus();
    },

    async testStats() {
      const mesh = media.mesh;
      if (!mesh) return {};
      const out = {};
      for (const [id, peer] of mesh.peers) {
        const report = await peer.pc.getStats();
        const video = { framesDecoded: 0, frameWidth: 0, frameHeight: 0, bytesReceived: 0 };
        report.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') {
            video.framesDecoded += s.framesDecoded ?? 0;
            video.bytesReceived += s.bytesReceived ?? 0;
            video.frameWidth = Math.max(video.frameWidth, s.frameWidth ?? 0);
            video.frameHeight = Math.max(video.frameHeight, s.frameHeight ?? 0);
          }
        });
        out[id] = { connectionState: peer.pc.connectionState, signalingState: peer.pc.signalingState, ...video };
      }
      return out;
    },
  };
};
