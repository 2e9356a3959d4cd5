// Adaptive quality for the mesh. Every sender uploads one copy of its video per peer (simulcast
// does nothing peer to peer), so caps fall as the room grows, fall again when getStats says the
// encoder is limited by bandwidth or CPU, and video stops (audio only) while a link is poor. In a
// group, whoever is speaking sends at the next tier up and gets the large tile.

/*
 * The caps, per peer connection (what one copy of my video may use):
 *
 *   peers   maxBitrate   scaleResolutionDownBy   maxFramerate   from a 1280x720 camera
 *   1       1.5 Mbps     1                       30             720p
 *   2-3     600 kbps     2                       30             360p
 *   4-5     300 kbps     3                       15             240p
 *   6-7     200 kbps     4                       15             180p
 *
 * - Active speaker (groups of 3+ people): one tier up (2-3 peers: 1 Mbps, scale 1.5; 4-5: 600 kbps,
 *   scale 2, 30 fps; 6-7: 300 kbps, scale 3), so the tile the others enlarge is worth enlarging.
 * - `qualityLimitationReason` bandwidth or cpu on a sender: half the bitrate, scale x1.5 (at most 4),
 *   15 fps, until it reports none for 3 samples in a row.
 * - Poor link (available outgoing bitrate < 150 kbps, loss > 10 % or RTT > 800 ms, 2 samples in a
 *   row): the video encoding is deactivated (audio only); it comes back after 3 samples with loss
 *   and RTT under those limits (the bitrate estimate shrinks to audio's while video is paused).
 * - A shared screen keeps full resolution (text must stay readable) at the tier's bitrate and
 *   at most 15 fps; contentHint "detail" tells the encoder to drop frames before sharpness.
 * Upload per person at 7 peers: 7 x 200 kbps = 1.4 Mbps, what a typical home uplink sustains.
 * That is why a room holds at most 8 people, the mentor and 7 seats (docs/rooms.md); past that, an SFU.
 */
const TIERS = [
  { maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 },
  { maxBitrate: 1_000_000, scaleResolutionDownBy: 1.5, maxFramerate: 30 },
  { maxBitrate: 600_000, scaleResolutionDownBy: 2, maxFramerate: 30 },
  { maxBitrate: 300_000, scaleResolutionDownBy: 3, maxFramerate: 15 },
  { maxBitrate: 200_000, scaleResolutionDownBy: 4, maxFramerate: 15 },
];
const POOR_BITRATE = 150_000;
const POOR_LOSS = 0.1;
const POOR_RTT_SECONDS = 0.8;
const SPEAKING_LEVEL = 0.02; // audioLevel (0..1) above which someone is talking
const SPEAKER_HOLD_MS = 2000; // the large tile doesn't jump between people mid-sentence

function tierFor(peerCount, speaking) {
  if (peerCount <= 1) return 0;
  if (peerCount <= 3) return speaking ? 1 : 2;
  if (peerCount <= 5) return speaking ? 2 : 3;
  return speaking ? 3 : 4;
}

/** The encoding parameters for one sender (pure: unit-testable, and the table above in code). */
export function capsFor({ peerCount, speaking = false, limited = false, poor = false, screen = false }) {
  const tier = { ...TIERS[tierFor(peerCount, speaking && peerCount >= 2)] };
  if (limited) {
    tier.maxBitrate = Math.round(tier.maxBitrate / 2);
    tier.scaleResolutionDownBy = Math.min(4, tier.scaleResolutionDownBy * 1.5);
    tier.maxFramerate = 15;
  }
  if (screen) {
    tier.scaleResolutionDownBy = 1;
    tier.maxFramerate = Math.min(tier.maxFramerate, 15);
  }
  return { ...tier, active: !poor };
}

/** The few numbers we use from one connection's getStats report. */
export function summarise(report) {
  const out = { limitation: 'none', availableOutgoingBitrate: null, rtt: null, loss: null, audioLevel: 0, video: null };
  report.forEach((stat) => {
    if (stat.type === 'outbound-rtp' && stat.kind === 'video' && stat.qualityLimitationReason) {
      out.limitation = stat.qualityLimitationReason;
    }
    if (stat.type === 'candidate-pair' && stat.nominated && stat.state === 'succeeded') {
      if (stat.availableOutgoingBitrate) out.availableOutgoingBitrate = stat.availableOutgoingBitrate;
      if (stat.currentRoundTripTime != null) out.rtt = stat.currentRoundTripTime;
    }
    if (stat.type === 'remote-inbound-rtp' && stat.fractionLost != null) {
      out.loss = Math.max(out.loss ?? 0, stat.fractionLost); // audio's too: it still flows while video is paused
    }
    if (stat.type === 'inbound-rtp' && stat.kind === 'audio' && stat.audioLevel != null) out.audioLevel = stat.audioLevel;
    if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
      out.video = {
        framesDecoded: stat.framesDecoded ?? 0,
        frameWidth: stat.frameWidth ?? 0,
        frameHeight: stat.frameHeight ?? 0,
        bytesReceived: stat.bytesReceived ?? 0,
      };
    }
  });
  return out;
}

/**
 * While video is paused the estimate of available bitrate shrinks to what audio needs, so coming
 * back is judged on loss and round trip only (else audio-only would latch).
 */
function isPoor(s, paused = false) {
  return (
    (!paused && s.availableOutgoingBitrate != null && s.availableOutgoingBitrate < POOR_BITRATE) ||
    (s.loss != null && s.loss > POOR_LOSS) ||
    (s.rtt != null && s.rtt > POOR_RTT_SECONDS)
  );
}

export class Quality {
  /** `mesh`; `local()` -> {speakingLevel, screen}; `onSample({stats, speaker, poor})` after each tick. */
  constructor({ mesh, local, onSample, everyMs = 3000 }) {
    this.mesh = mesh;
    this.local = local;
    this.onSample = onSample;
    this.everyMs = everyMs;
    this.state = new Map(); // user_id -> {poorRuns, goodRuns, poor, limitedRuns, limited, applied}
    this.speaker = null;
    this.speakerSince = 0;
    this.timer = null;
  }

  start() {
    this.stop();
    this.timer = setInterval(() => this.tick(), this.everyMs);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  async tick() {
    const peers = [...this.mesh.peers.values()];
    const stats = {};
    await Promise.all(
      peers.map(async (peer) => {
        try {
          stats[peer.id] = summarise(await peer.pc.getStats());
        } catch {
          // a connection closing under us
        }
      }),
    );
    const { speakingLevel, screen } = this.local();
    this.pickSpeaker(stats, speakingLevel);
    const speaking = this.speaker === this.mesh.me;
    let anyPoor = false;
    for (const peer of peers) {
      const s = stats[peer.id];
      if (!s) continue;
      const st = this.state.get(peer.id) ?? { poorRuns: 0, goodRuns: 0, poor: false, limitedRuns: 0, clearRuns: 0, limited: false, applied: '' };
      if (isPoor(s, st.poor)) {
        st.poorRuns += 1;
        st.goodRuns = 0;
      } else {
        st.goodRuns += 1;
        st.poorRuns = 0;
      }
      if (st.poorRuns >= 2) st.poor = true;
      if (st.goodRuns >= 3) st.poor = false;
      if (s.limitation === 'bandwidth' || s.limitation === 'cpu') {
        st.limited = true;
        st.clearRuns = 0;
      } else if (++st.clearRuns >= 3) {
        st.limited = false;
      }
      anyPoor = anyPoor || st.poor;
      this.state.set(peer.id, st);
      await this.apply(peer, capsFor({ peerCount: peers.length, speaking, limited: st.limited, poor: st.poor, screen }), st);
    }
    this.onSample({ stats, speaker: this.speaker, poor: anyPoor });
  }

  pickSpeaker(stats, myLevel) {
    const levels = Object.entries(stats).map(([id, s]) => [id, s.audioLevel]);
    levels.push([this.mesh.me, myLevel]);
    const [loudest, level] = levels.reduce((a, b) => (b[1] > a[1] ? b : a), [null, 0]);
    const now = Date.now();
    if (level < SPEAKING_LEVEL || loudest === this.speaker) return;
    if (this.speaker && now - this.speakerSince < SPEAKER_HOLD_MS) return;
    this.speaker = loudest;
    this.speakerSince = now;
  }

  async apply(peer, caps, st) {
    const sender = peer.senders.video;
    if (!sender) return;
    const key = JSON.stringify(caps);
    if (st.applied === key) return;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) return; // not negotiated yet: next tick
    params.encodings = params.encodings.map((encoding) => ({ ...encoding, ...caps }));
    try {
      await sender.setParameters(params);
      st.applied = key;
    } catch (error) {
      console.warn('room: setParameters failed', error);
    }
  }
}
