// The mesh: one RTCPeerConnection per other admitted participant, negotiated with MDN's "perfect
// negotiation" (both sides run this code; the polite side of a pair is the lower user_id and rolls
// back on a colliding offer, the impolite side ignores it). Local tracks are shared by every
// connection; the screen replaces the camera with `replaceTrack` (no renegotiation). Media objects
// stay out of Alpine's reactive state: the page reads them through `streamOf(id)`.

const DISCONNECTED_GRACE_MS = 3000; // a `disconnected` this long is treated like `failed`
const MAX_QUEUED_SIGNALS = 400;

/** The session id of an SDP's origin line (`o=- 4611731400430051336 2 IN IP4 ...`). */
export function sdpSession(sdp) {
  const match = /^o=\S+ (\d+) /m.exec(sdp ?? '');
  return match ? match[1] : null;
}

export class Mesh {
  /**
   * `me`: my user_id; `send(to, data)` relays a signal; `onChange(userId)` hears a stream or a
   * connection state change; `iceServers()` the current RTCIceServer list.
   */
  constructor({ me, send, onChange, iceServers }) {
    this.me = me;
    this.sendSignal = send;
    this.onChange = onChange;
    this.iceServers = iceServers;
    this.peers = new Map(); // user_id -> peer
    this.tracks = { audio: null, video: null }; // what every connection sends
    this.started = false;
    this.queued = new Map(); // signals that arrived before start(): user_id -> [data]
    this.signalingUp = true; // false while my socket is down: ICE restarts wait for it
  }

  polite(other) {
    return this.me < other;
  }

  /** Starts negotiating: creates the connections for `ids` and replays early signals. */
  start(ids) {
    this.started = true;
    this.sync(ids);
    for (const [from, list] of this.queued) {
      list.forEach((data) => this.signal(from, data));
    }
    this.queued.clear();
  }

  /**
   * Connects to each id of `ids` (admitted and connected now) and keeps the connections to `keep`
   * (still admitted, maybe between two sockets: media can outlive a signaling blip); closes the rest.
   */
  sync(ids, keep = ids) {
    if (!this.started) return;
    const wanted = new Set(ids.filter((id) => id !== this.me));
    const kept = new Set([...keep, ...wanted]);
    for (const id of wanted) if (!this.peers.has(id)) this.create(id);
    for (const id of [...this.peers.keys()]) if (!kept.has(id)) this.closePeer(id);
  }

  create(id) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers() });
    const peer = {
      id,
      pc,
      polite: this.polite(id),
      makingOffer: false,
      ignoreOffer: false,
      settingRemoteAnswerPending: false,
      stream: new MediaStream(),
      senders: { audio: null, video: null },
      disconnectedTimer: null,
      pendingRestart: false,
    };
    this.peers.set(id, peer);

    for (const kind of ['audio', 'video']) {
      const track = this.tracks[kind];
      if (track) peer.senders[kind] = pc.addTrack(track, this.localStreamFor(track));
    }
    if (!this.tracks.audio && !this.tracks.video) {
      // Nothing to send (an observer, or both devices off): still offer to receive, so this side
      // can start the negotiation too.
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }

    pc.ontrack = ({ track }) => {
      peer.stream.getTracks().filter((t) => t.kind === track.kind).forEach((t) => peer.stream.removeTrack(t));
      peer.stream.addTrack(track);
      track.addEventListener('unmute', () => this.onChange(id));
      this.onChange(id);
    };
    pc.onnegotiationneeded = async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        this.sendSignal(id, { description: pc.localDescription.toJSON() });
      } catch (error) {
        console.warn('room: offer failed', error);
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.sendSignal(id, { candidate: candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      clearTimeout(peer.disconnectedTimer);
      if (pc.connectionState === 'failed') this.restart(id);
      if (pc.connectionState === 'disconnected') {
        peer.disconnectedTimer = setTimeout(() => {
          if (pc.connectionState === 'disconnected') this.restart(id);
        }, DISCONNECTED_GRACE_MS);
      }
      this.onChange(id);
    };
    return peer;
  }

  localStreamFor(track) {
    if (!this.localStream) this.localStream = new MediaStream();
    if (!this.localStream.getTracks().includes(track)) this.localStream.addTrack(track);
    return this.localStream;
  }

  /** One `signal` from `from`: a description or a candidate (MDN's perfect negotiation). */
  async signal(from, data) {
    if (!this.started) {
      const list = this.queued.get(from) ?? [];
      if (list.length < MAX_QUEUED_SIGNALS) list.push(data);
      this.queued.set(from, list);
      return;
    }
    let peer = this.peers.get(from) ?? this.create(from);
    if (data.description) {
      // The SDP origin's session id is fixed for the life of the sender's RTCPeerConnection (RFC
      // 3264): a new one means their page started afresh (a reload, a new tab), and our old
      // connection's DTLS and ICE state mean nothing to it. Start a fresh connection for them.
      const session = sdpSession(data.description.sdp);
      if (peer.remoteSession && session && session !== peer.remoteSession) {
        this.closePeer(from);
        peer = this.create(from);
        if (data.description.type !== 'offer') return; // the fresh connection makes its own offer
      }
      if (session) peer.remoteSession = session;
    }
    const { pc } = peer;
    try {
      if (data.description) {
        const description = data.description;
        const readyForOffer =
          !peer.makingOffer && (pc.signalingState === 'stable' || peer.settingRemoteAnswerPending);
        const offerCollision = description.type === 'offer' && !readyForOffer;
        peer.ignoreOffer = !peer.polite && offerCollision;
        if (peer.ignoreOffer) return;
        peer.settingRemoteAnswerPending = description.type === 'answer';
        await pc.setRemoteDescription(description); // rolls back a colliding local offer (polite)
        peer.settingRemoteAnswerPending = false;
        if (description.type === 'offer') {
          await pc.setLocalDescription();
          this.sendSignal(from, { description: pc.localDescription.toJSON() });
        }
      } else if (data.candidate) {
        try {
          await pc.addIceCandidate(data.candidate);
        } catch (error) {
          if (!peer.ignoreOffer) throw error;
        }
      }
    } catch (error) {
      console.warn('room: signal failed', error);
    }
  }

  /** ICE restart for one peer: now if signaling is up, else once it is (see `resume`). */
  restart(id) {
    const peer = this.peers.get(id);
    if (!peer || peer.pc.connectionState === 'closed') return;
    if (!this.signalingUp) {
      peer.pendingRestart = true;
      return;
    }
    peer.pendingRestart = false;
    peer.pc.restartIce();
  }

  /**
   * The signaling path to `id` is back (their socket or mine reconnected). An offer sent while it
   * was down is lost, so a side stuck in have-local-offer rolls back; the impolite side then
   * restarts ICE, which renegotiates and brings media back if the network path changed.
   */
  async resync(id) {
    const peer = this.peers.get(id);
    if (!peer || peer.pc.connectionState === 'closed') return;
    try {
      if (peer.pc.signalingState === 'have-local-offer' && !peer.makingOffer) {
        await peer.pc.setLocalDescription({ type: 'rollback' });
      }
    } catch (error) {
      console.warn('room: rollback failed', error);
    }
    if (!peer.polite || peer.pendingRestart || peer.pc.connectionState !== 'connected') this.restart(id);
  }

  /** My socket is back: resync every connection. */
  resume() {
    this.signalingUp = true;
    for (const id of this.peers.keys()) this.resync(id);
  }

  /** Replaces (or adds) the track of `kind` on every connection; null stops sending that kind. */
  async setTrack(kind, track) {
    this.tracks[kind] = track;
    if (track && this.localStream) {
      this.localStream.getTracks().filter((t) => t.kind === kind).forEach((t) => this.localStream.removeTrack(t));
    }
    await Promise.all(
      [...this.peers.values()].map(async (peer) => {
        const sender = peer.senders[kind];
        if (sender) {
          await sender.replaceTrack(track).catch((error) => console.warn('room: replaceTrack failed', error));
        } else if (track) {
          // The first track of this kind on this connection: reuse a receive-only transceiver of
          // that kind if there is one, else add one; either way one renegotiation, then replaceTrack.
          const idle = peer.pc
            .getTransceivers()
            .find((t) => !t.stopped && t.receiver.track.kind === kind && !t.sender.track && t.direction === 'recvonly');
          if (idle) {
            idle.direction = 'sendrecv';
            await idle.sender.replaceTrack(track);
            peer.senders[kind] = idle.sender;
          } else {
            peer.senders[kind] = peer.pc.addTrack(track, this.localStreamFor(track));
          }
        }
      }),
    );
  }

  streamOf(id) {
    return this.peers.get(id)?.stream ?? null;
  }

  stateOf(id) {
    return this.peers.get(id)?.pc.connectionState ?? 'new';
  }

  closePeer(id) {
    const peer = this.peers.get(id);
    if (!peer) return;
    clearTimeout(peer.disconnectedTimer);
    peer.pc.close();
    this.peers.delete(id);
    this.onChange(id);
  }

  close() {
    for (const id of [...this.peers.keys()]) this.closePeer(id);
    this.started = false;
  }
}
