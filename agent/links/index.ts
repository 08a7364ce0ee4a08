/**
 * Link telemetry and failure detection for every peer we track: RTT by libp2p
 * ping (smoothed), loss over a window, ETX, a bandwidth estimate from probes,
 * last seen, and a phi-accrual detector over heartbeats (ping successes and
 * received announcements) driving the peer state machine in state.ts.
 *
 * For other subsystems (peering, scheduler): `links.get(peerId)` gives a
 * LinkInfo snapshot; `links.onChange((peerId, from, to) => ...)` reports state
 * changes; `links.heartbeat(peerId)` feeds an outside sign of life;
 * `links.noteTunnel(peerId, health)` records the WireGuard tunnel's health
 * (agent/tunnels) and counts a new handshake or received bytes as one.
 *
 *   const links = createLinks({ pingIntervalMs: 1000, ... })({ clock, logger, ping: (p, o) => node.services.ping.ping(peerIdFromString(p), o) })
 *   links.start(); links.track(peerId)
 *   links.get(peerId) // { state: 'alive', rttMs: 0.4, loss: 0, etx: 1, phi: 0.2, ... }
 */
import { Gauge, Histogram, type Registry } from 'prom-client'
import type { Clock } from '../clock.ts'
import type { ComponentLogger } from '../logger.ts'
import { PhiAccrual } from './phi.ts'
import { initialLink, peerStates, transition, type LinkStatus, type PeerState, type Thresholds } from './state.ts'
import { LinkTelemetry } from './telemetry.ts'
import { NoBeaconError } from './errors.ts'

export { LinkLostError, PeerRefusedError, NoBeaconError } from './errors.ts'
export { Beacon, type BeaconAddress } from './beacon.ts'
export { PhiAccrual, phiOf } from './phi.ts'
export { transition, initialLink, peerStates, type PeerState, type LinkStatus, type LinkEvent, type Thresholds } from './state.ts'
export { LinkTelemetry } from './telemetry.ts'

export interface LinksInit {
  /** ms between pings to each peer; default 1000 */
  pingIntervalMs?: number
  /** ms a ping may take before it counts as lost; default 2000 */
  pingTimeoutMs?: number
  phiSuspect?: number
  phiUnreachable?: number
  recoverHeartbeats?: number
  goneAfterMs?: number
  lossWindow?: number
  minStdDevMs?: number
  /** ms between bandwidth probes of an alive peer; 0 = only on request; default 0 */
  bandwidthProbeIntervalMs?: number
  bandwidthProbeBytes?: number
  /**
   * most peers pinged at once; 0 = every tracked peer (the default). Beyond
   * it, the peers this agent has leases with (`pinned`) and its successors
   * on a hash ring of peer IDs (so every peer is watched by this many
   * others) are pinged; the others are judged by their announcements alone,
   * expected every `passiveIntervalMs` or at the period the peer's
   * announcements say (expectAnnouncements())
   */
  maxMonitored?: number
  /** the interval heartbeats of an unpinged peer are expected at when it has not said its own (the announcement interval); default 30 s */
  passiveIntervalMs?: number
  /** ms a single watcher's verdict against an unpinged peer waits for a refutation before it counts (condemn()); default 3000 */
  verdictGraceMs?: number
}

export interface LinksComponents {
  clock: Clock
  /** this agent's peer ID: its place on the hash ring that picks the peers to ping (maxMonitored) */
  selfPeerId?: string
  /** peers that are always pinged whatever maxMonitored says (counterparties of live leases) */
  pinned?: () => Iterable<string>
  logger: ComponentLogger
  registry?: Registry
  /**
   * round-trip time to the peer in ms, or a rejection; a PeerRefusedError
   * when the peer could not be reached at all (see REFUSAL_PHI), a
   * LinkLostError when the connection closed under the ping
   */
  ping: (peerId: string, options: { signal: AbortSignal }) => Promise<number>
  /**
   * a second heartbeat path beside `ping` (agent/links/beacon.ts): round-trip
   * time in ms of one UDP probe and its echo, or a rejection; NoBeaconError
   * when the peer cannot be probed that way
   */
  beacon?: (peerId: string, options: { signal: AbortSignal }) => Promise<number>
  /** sends `bytes` to the peer and resolves once it acknowledged them; ms taken */
  probe?: (peerId: string, bytes: number, options: { signal: AbortSignal }) => Promise<number>
  /** a test hook: returns true to drop this heartbeat (a seeded loss model) */
  dropHeartbeat?: (peerId: string) => boolean
}

export interface LinkInfo {
  peerId: string
  state: PeerState
  /** ms since the epoch when the state was entered */
  stateSince: number
  rttMs: number | null
  rttVarMs: number | null
  loss: number | null
  etx: number | null
  bandwidthBps: number | null
  phi: number
  lastSeen: number | null
  pings: number
  pingFailures: number
  /** pinged by this agent (else judged by its announcements: see LinksInit.maxMonitored) */
  monitored: boolean
  /** the WireGuard tunnel to the peer (agent/tunnels), null when none */
  tunnel: LinkTunnel | null
}

/** What the tunnel subsystem reports about the tunnel to one peer (a TunnelHealth). */
export interface TunnelSample {
  state: 'up' | 'connecting' | 'stale'
  endpoint: string | null
  /** ms since the epoch of the latest completed handshake, null when none yet */
  latestHandshake: number | null
  rxBytes: number
  txBytes: number
}

export interface LinkTunnel extends TunnelSample {
  /** seconds since the latest handshake, now; null when none yet */
  handshakeAgeS: number | null
  /** ms since the epoch of the sample */
  observedAt: number
}

interface Entry {
  status: LinkStatus
  phi: PhiAccrual
  tel: LinkTelemetry
  nextPingAt: number
  nextProbeAt: number
  inFlight: boolean
  lastSeen?: number
  /** pings lost since the last heartbeat: the failure detector's miss count for the next interval */
  failsSinceBeat: number
  /** refused dials since the last heartbeat (PeerRefusedError) */
  refusedSinceBeat: number
  /** the peer has answered a beacon since it was tracked: loss is measured on beacons while they are sent */
  beaconAnswers: boolean
  /** until when (ms) every round sends a beacon with its ping: the link was in trouble lately */
  beaconsUntil: number
  /** a ping is still on its way: a round that starts meanwhile sends only a beacon (ping allows one stream at a time) */
  pingPending: boolean
  /** pinged (true) or judged by announcements (false) */
  monitored: boolean
  /** distance on the hash ring (ringDistance()): the nearest are pinged first */
  rank: number
  tunnel?: TunnelSample & { observedAt: number }
  /** watchers whose verdict (condemn()) holds against this unpinged peer since `condemnedAt`; cleared by a heartbeat */
  condemnedBy?: Set<string>
  condemnedAt?: number
  /** the period the peer's announcements say it announces at, ms; init.passiveIntervalMs when unsaid */
  passiveMs?: number
}

/**
 * What one refused dial adds to phi. A living peer answers; a lossy link
 * times out but does not refuse; so a refusal is strong evidence that the
 * peer is not running where we know it: three in a row (phi 9) make it
 * unreachable with the default thresholds, two (phi 6) suspect, whatever loss
 * the link had before. A refused ping is repeated after half an interval, so
 * that takes about two intervals. Any heartbeat clears them.
 */
export const REFUSAL_PHI = 3

/**
 * After a refused dial, how long (ms) the beacon already out may still prove
 * the peer alive before the round counts the refusal: three smoothed ping
 * RTTs, at least this floor and at most a quarter of the ping interval. A
 * ping's RTT runs through the stream machinery and event loops of both
 * hosts, so on a busy host it is hundreds of ms, far longer than a datagram's
 * round trip; uncapped, three of them held every refused round to the ping
 * timeout, and three refusals took three timeouts instead of two intervals.
 */
export const REFUSAL_GRACE_FLOOR_MS = 100

/**
 * A ping is late, and a beacon goes out beside it, once it has taken longer
 * than TCP would wait before retransmitting (SRTT + 4·RTTVAR), and at least
 * this long (ms).
 */
export const LATE_FLOOR_MS = 250

/** once a ping was late, every round sends a beacon for this long (ms; or 30 ping intervals, if longer) */
export const BEACON_HOLD_MS = 60_000

export type LinkChangeListener = (peerId: string, from: PeerState, to: PeerState) => void

export class Links {
  readonly thresholds: Thresholds
  private readonly init: Required<LinksInit>
  private readonly c: LinksComponents
  private readonly entries = new Map<string, Entry>()
  private readonly listeners = new Set<LinkChangeListener>()
  private timer?: { clear(): void }
  private readonly abort = new AbortController()
  private readonly rttHistogram?: Histogram
  private running = false
  private selectDue = false
  private ticks = 0

  constructor (init: LinksInit, components: LinksComponents) {
    this.init = {
      pingIntervalMs: init.pingIntervalMs ?? 1000,
      pingTimeoutMs: init.pingTimeoutMs ?? 2000,
      phiSuspect: init.phiSuspect ?? 5,
      phiUnreachable: init.phiUnreachable ?? 8,
      recoverHeartbeats: init.recoverHeartbeats ?? 2,
      goneAfterMs: init.goneAfterMs ?? 600_000,
      lossWindow: init.lossWindow ?? 20,
      minStdDevMs: init.minStdDevMs ?? 100,
      bandwidthProbeIntervalMs: init.bandwidthProbeIntervalMs ?? 0,
      bandwidthProbeBytes: init.bandwidthProbeBytes ?? 16 * 1024,
      maxMonitored: init.maxMonitored ?? 0,
      passiveIntervalMs: init.passiveIntervalMs ?? 30_000,
      verdictGraceMs: init.verdictGraceMs ?? 3000
    }
    this.c = components
    this.thresholds = {
      phiSuspect: this.init.phiSuspect,
      phiUnreachable: this.init.phiUnreachable,
      recoverHeartbeats: this.init.recoverHeartbeats,
      goneAfterMs: this.init.goneAfterMs
    }
    if (components.registry != null) {
      const registers = [components.registry]
      const counts = (): Record<PeerState, number> => this.counts()
      const gauge: Gauge = new Gauge({
        name: 'skein_peers',
        help: 'Tracked peers by link state',
        labelNames: ['state'],
        registers,
        collect () {
          const c = counts()
          for (const s of peerStates) gauge.set({ state: s }, c[s])
        }
      })
      this.rttHistogram = new Histogram({
        name: 'skein_link_rtt_seconds',
        help: 'Round-trip times measured by ping, per sample',
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers
      })
    }
  }

  start (): void {
    if (this.running) return
    this.running = true
    // evaluate four times per ping interval: detection granularity without extra traffic
    this.timer = this.c.clock.setInterval(() => { this.tick() }, Math.max(10, Math.round(this.init.pingIntervalMs / 4)))
  }

  stop (): void {
    if (!this.running) return
    this.running = false
    this.timer?.clear()
    this.abort.abort()
  }

  /** Starts measuring a peer (idempotent). A gone peer is brought back as alive. */
  track (peerId: string): void {
    const now = this.c.clock.now()
    const e = this.entries.get(peerId)
    if (e != null) return
    const monitored = this.init.maxMonitored <= 0 || this.entries.size < this.init.maxMonitored
    this.entries.set(peerId, {
      status: initialLink(now),
      phi: this.detector(monitored, now, undefined),
      tel: new LinkTelemetry(this.init.lossWindow),
      nextPingAt: now,
      nextProbeAt: this.init.bandwidthProbeIntervalMs > 0 ? now + this.init.pingIntervalMs * 2 : Infinity,
      inFlight: false,
      failsSinceBeat: 0,
      refusedSinceBeat: 0,
      beaconAnswers: false,
      beaconsUntil: 0,
      pingPending: false,
      monitored,
      rank: ringDistance(this.c.selfPeerId ?? '', peerId)
    })
    // choose now, so that whoever asks monitored() next (discovery, deciding whether to dial) gets the answer
    if (this.init.maxMonitored > 0 && this.entries.size > this.init.maxMonitored) this.select(now)
  }

  untrack (peerId: string): void {
    if (this.entries.delete(peerId)) this.selectDue = true
  }

  /** Whether this agent pings the peer (see LinksInit.maxMonitored); false for an untracked one. */
  monitored (peerId: string): boolean {
    return this.entries.get(peerId)?.monitored === true
  }

  /**
   * The period at which `peerId` says it announces (its announcements carry
   * it; the period grows with the fleet). An unpinged peer is judged on it from
   * now: when it changed, its failure detector starts again from the last
   * heartbeat with the new period, as when a peer stops being pinged.
   */
  expectAnnouncements (peerId: string, periodMs: number): void {
    const e = this.entries.get(peerId)
    if (e == null || !(periodMs > 0) || e.passiveMs === periodMs) return
    e.passiveMs = periodMs
    if (!e.monitored) e.phi = this.detector(false, e.phi.last ?? this.c.clock.now(), periodMs)
  }

  /** a failure detector expecting heartbeats at the ping interval (monitored) or the announcement period, heard from `last` */
  private detector (monitored: boolean, last: number, passiveMs: number | undefined): PhiAccrual {
    const every = monitored ? this.init.pingIntervalMs : (passiveMs ?? this.init.passiveIntervalMs)
    const phi = new PhiAccrual({ expectedIntervalMs: every, minStdDevMs: this.init.minStdDevMs, minIntervalMs: every / 2 })
    phi.heartbeat(last)
    return phi
  }

  /**
   * Which peers to ping when there are more than maxMonitored: the pinned
   * ones, then the nearest successors on the hash ring among those not unreachable (a
   * dead peer gives its place to a living one, and takes it back once its
   * announcements bring it back; one still heard from keeps it). A peer that starts being pinged is
   * given a fresh interval (it was judged on a longer one); one that stops
   * keeps its last heartbeat.
   */
  private select (now: number): void {
    this.selectDue = false
    const k = this.init.maxMonitored
    let want: Set<string> | undefined
    if (k > 0 && this.entries.size > k) {
      const pinned = new Set(this.c.pinned?.() ?? [])
      want = new Set([...pinned].filter((p) => this.entries.has(p)))
      // an unreachable peer still heard from (announcements, a tunnel) keeps its place, rather than flap between
      // unreachable while pinged and alive on its announcements; a silent one gives its place to a living one
      const heard = (e: Entry): boolean => (e.lastSeen ?? 0) > now - 2 * (e.passiveMs ?? this.init.passiveIntervalMs)
      const ranked = [...this.entries]
        .filter(([id, e]) => !want?.has(id) && (e.status.state === 'alive' || e.status.state === 'suspect' || (e.status.state === 'unreachable' && e.monitored && heard(e))))
        .sort((a, b) => a[1].rank - b[1].rank)
      for (const [id] of ranked) {
        if (want.size >= k) break
        want.add(id)
      }
    }
    for (const [id, e] of this.entries) {
      const on = want == null || want.has(id)
      if (on === e.monitored) continue
      e.monitored = on
      e.phi = this.detector(on, on ? now : (e.phi.last ?? now), e.passiveMs)
      e.failsSinceBeat = 0
      e.refusedSinceBeat = 0
      if (on) e.nextPingAt = now
    }
  }

  /** most peers pinged at once (LinksInit.maxMonitored); 0: every tracked peer */
  get maxMonitored (): number {
    return this.init.maxMonitored
  }

  has (peerId: string): boolean {
    return this.entries.has(peerId)
  }

  /**
   * A watcher's verdict (spread by agent/discovery) that `peerId` is
   * unreachable. A peer this agent pings is pinged at once instead: its own
   * evidence decides. An unpinged one becomes unreachable on the verdict of a
   * second watcher, or on the first once `verdictGraceMs` passed with no
   * heartbeat; a heartbeat (the subject refutes a false verdict by announcing
   * again) clears the verdicts and brings it back at once. True when counted.
   */
  condemn (peerId: string, watcher: string): boolean {
    const e = this.entries.get(peerId)
    if (e == null || !this.running) return false
    const now = this.c.clock.now()
    if (e.monitored) {
      e.nextPingAt = Math.min(e.nextPingAt, now)
      return false
    }
    if (e.status.state === 'unreachable' || e.status.state === 'gone') return false
    const by = e.condemnedBy ?? new Set<string>()
    if (by.size === 0) e.condemnedAt = now
    by.add(watcher)
    e.condemnedBy = by
    if (by.size >= 2) this.apply(peerId, e, { type: 'verdict', now })
    return true
  }

  /**
   * The last open connection to the peer closed. A pinged peer that is not
   * already unreachable is pinged at the next tick rather than at its turn:
   * the ping dials, and a peer that went away refuses it within a few rounds
   * (see REFUSAL_PHI), while a living one answers. A round already out ends
   * with its ping (LinkLostError) and is followed at once too.
   */
  connectionLost (peerId: string): void {
    const e = this.entries.get(peerId)
    if (e == null || !e.monitored || e.status.state === 'unreachable' || e.status.state === 'gone') return
    e.nextPingAt = Math.min(e.nextPingAt, this.c.clock.now())
  }

  /** A sign of life from outside the ping loop (an announcement, a message). */
  heartbeat (peerId: string): void {
    const e = this.entries.get(peerId)
    if (e == null) return
    if (this.c.dropHeartbeat?.(peerId) === true) return
    this.beat(peerId, e)
  }

  /**
   * The tunnel's health for a tracked peer (untracked ones are ignored). A
   * handshake newer than the last sample, or more bytes received, is evidence
   * the peer is alive: a heartbeat. A stale tunnel is not evidence of death:
   * pings decide that.
   */
  noteTunnel (peerId: string, sample: TunnelSample): void {
    const e = this.entries.get(peerId)
    if (e == null) return
    const prev = e.tunnel
    e.tunnel = {
      state: sample.state,
      endpoint: sample.endpoint,
      latestHandshake: sample.latestHandshake,
      rxBytes: sample.rxBytes,
      txBytes: sample.txBytes,
      observedAt: this.c.clock.now()
    }
    const newHandshake = sample.latestHandshake != null && sample.latestHandshake > (prev?.latestHandshake ?? 0)
    const received = sample.rxBytes > (prev?.rxBytes ?? 0)
    if (newHandshake || received) this.heartbeat(peerId)
  }

  get (peerId: string): LinkInfo | undefined {
    const e = this.entries.get(peerId)
    return e == null ? undefined : this.info(peerId, e)
  }

  list (): LinkInfo[] {
    return [...this.entries.entries()].map(([id, e]) => this.info(id, e))
  }

  state (peerId: string): PeerState | undefined {
    return this.entries.get(peerId)?.status.state
  }

  counts (): Record<PeerState, number> {
    const out: Record<PeerState, number> = { alive: 0, suspect: 0, unreachable: 0, gone: 0 }
    for (const e of this.entries.values()) out[e.status.state]++
    return out
  }

  onChange (fn: LinkChangeListener): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  /** Measures bandwidth to a peer now; resolves to bits per second. */
  async probeBandwidth (peerId: string, options: { signal?: AbortSignal } = {}): Promise<number | undefined> {
    const e = this.entries.get(peerId)
    if (e == null || this.c.probe == null) return undefined
    const signal = AbortSignal.any([this.abort.signal, options.signal ?? AbortSignal.timeout(30_000)])
    const bytes = this.init.bandwidthProbeBytes
    const ms = await this.c.probe(peerId, bytes, { signal })
    // the transfer time includes one round trip for the acknowledgement
    e.tel.bandwidth(bytes, ms - (e.tel.srttMs ?? 0), this.c.clock.now())
    return e.tel.bandwidthBps
  }

  private info (peerId: string, e: Entry): LinkInfo {
    const now = this.c.clock.now()
    return {
      peerId,
      state: e.status.state,
      stateSince: e.status.since,
      rttMs: e.tel.srttMs ?? null,
      rttVarMs: e.tel.rttVarMs ?? null,
      loss: e.tel.loss ?? null,
      etx: e.tel.etx ?? null,
      bandwidthBps: e.tel.bandwidthBps ?? null,
      phi: Math.round(this.phiOf(e, now) * 100) / 100,
      lastSeen: e.lastSeen ?? null,
      pings: e.tel.pings,
      pingFailures: e.tel.pingFailures,
      monitored: e.monitored,
      tunnel: e.tunnel == null
        ? null
        : { ...e.tunnel, handshakeAgeS: e.tunnel.latestHandshake != null ? Math.max(0, Math.round((now - e.tunnel.latestHandshake) / 1000)) : null }
    }
  }

  private tick (): void {
    const now = this.c.clock.now()
    // the choice of peers to ping is revised once per ping interval, and at once when peers come or go
    if (this.init.maxMonitored > 0 && (this.selectDue || ++this.ticks % 4 === 0)) this.select(now)
    for (const [peerId, e] of this.entries) {
      if (e.condemnedBy != null && e.condemnedBy.size > 0 && now - (e.condemnedAt ?? now) >= this.init.verdictGraceMs) this.apply(peerId, e, { type: 'verdict', now })
      this.apply(peerId, e, { type: 'tick', now, phi: this.phiOf(e, now) })
      if (e.status.state === 'gone' || e.inFlight || !e.monitored || (e.pingPending && this.c.beacon == null)) continue
      if (now >= e.nextPingAt) {
        // unreachable peers are pinged less often: a dial to a dead address costs more than a ping
        const every = e.status.state === 'unreachable' ? this.init.pingIntervalMs * 4 : this.init.pingIntervalMs
        e.nextPingAt = now + every
        this.pingOnce(peerId, e)
      } else if (now >= e.nextProbeAt && e.status.state === 'alive') {
        e.nextProbeAt = now + this.init.bandwidthProbeIntervalMs
        e.inFlight = true
        this.probeBandwidth(peerId).catch(() => {}).finally(() => { e.inFlight = false })
      }
    }
  }

  /**
   * One heartbeat round: a ping over the connection and, when there is a
   * beacon and the link has been in trouble lately (a ping was late), a UDP
   * probe at the same time; on a clean link the probe goes out only once the
   * ping is late, and starts a minute of beacons with every ping. The first answer is the round's
   * heartbeat, and the next round may start on schedule; the other is still
   * counted when it settles: the RTT is the ping's (what the peer's protocols
   * see), loss is the beacon's once the peer answers beacons. A refused dial
   * gives the beacon a short grace to prove the peer alive (a restart on a
   * new port), not the whole timeout.
   */
  private pingOnce (peerId: string, e: Entry): void {
    e.inFlight = true
    const current = (): boolean => this.entries.get(peerId) === e && this.running
    const timeout = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.init.pingTimeoutMs)])
    const cut = new AbortController()
    const started = this.c.clock.now()
    const lateMs = Math.min(this.init.pingTimeoutMs / 2, Math.max(LATE_FLOOR_MS, (e.tel.srttMs ?? 0) + 4 * (e.tel.rttVarMs ?? 0)))
    const hold = (): void => { e.beaconsUntil = this.c.clock.now() + Math.max(BEACON_HOLD_MS, 30 * this.init.pingIntervalMs) }
    // the previous round's ping is still out (its beacon answered): this round is a beacon alone
    const withPing = !e.pingPending
    const eager = e.beaconsUntil > started || !withPing
    let answered = false
    let dropped = false
    const answer = (): void => {
      if (answered || dropped || !current()) return
      // the simulator's seeded loss model drops the whole round
      if (this.c.dropHeartbeat?.(peerId) === true) { dropped = true; return }
      answered = true
      e.inFlight = false
      this.beat(peerId, e)
    }
    let grace: { clear(): void } | undefined
    let ping: Promise<void>
    if (withPing) {
      e.pingPending = true
      ping = this.c.ping(peerId, { signal: timeout }).then((rtt) => {
        answer()
        if (!current()) return
        if (dropped) { e.tel.failure(); return }
        e.tel.rtt(rtt)
        this.rttHistogram?.observe(rtt / 1000)
        if (rtt > lateMs) hold()
        // beacons sent but none answered for a whole window while pings get through: they are not reaching the peer
        if (e.tel.datagramsAllLost) { e.beaconAnswers = false; e.tel.clearDatagrams() }
      }, (err: unknown) => {
        if (current()) e.tel.failure()
        // why each ping failed and how long it took: what tells a refused dial from a timeout or a closed connection
        this.c.logger.debug({ peerId, err: describeError(err), ms: this.c.clock.now() - started }, 'ping failed')
        const name = (err as Error | undefined)?.name
        if (name === 'PeerRefusedError' || name === 'LinkLostError') {
          if (this.c.beacon != null && !answered) grace = this.c.clock.setTimeout(() => { cut.abort(err) }, this.refusalGraceMs(e))
        } else {
          hold()
        }
        throw err
      }).finally(() => { e.pingPending = false })
    } else {
      ping = Promise.reject(new Error('no ping this round: the last one is still out'))
    }
    // the trouble is over: loss is measured on pings again
    if (!eager) e.tel.clearDatagrams()
    const beaconSignal = AbortSignal.any([timeout, cut.signal])
    const beacon = (async () => {
      if (this.c.beacon == null) throw new NoBeaconError('no beacon')
      if (!eager) {
        // a clean link sends no beacons: only a ping later than TCP would wait for its answer starts them
        await this.delay(lateMs, beaconSignal)
        if (answered) throw new NoBeaconError('the ping answered in time')
        hold()
      }
      return await this.c.beacon(peerId, { signal: beaconSignal })
    })().then(() => {
      e.beaconAnswers = true
      answer()
      if (current()) e.tel.datagram(!dropped)
    }, (err: unknown) => {
      if (current() && e.beaconAnswers && (err as Error | undefined)?.name !== 'NoBeaconError') e.tel.datagram(false)
      throw err
    })
    Promise.allSettled([ping, beacon]).then(([p]) => {
      grace?.clear()
      if (answered || !current()) return
      e.failsSinceBeat++
      if (p.status === 'rejected' && (p.reason as Error | undefined)?.name === 'PeerRefusedError') {
        e.refusedSinceBeat++
        // confirm a refusal soon (refused dials cost next to nothing) rather than a whole interval later: half an
        // interval after this round began, or at once if the dial and the beacon's grace took longer (a busy host)
        if (e.status.state !== 'unreachable') e.nextPingAt = Math.min(e.nextPingAt, started + this.init.pingIntervalMs / 2)
      } else if (p.status === 'rejected' && (p.reason as Error | undefined)?.name === 'LinkLostError') {
        // the connection went away under the ping: dial at the next tick, whose refusal (or answer) tells more
        if (e.status.state !== 'unreachable') e.nextPingAt = Math.min(e.nextPingAt, this.c.clock.now())
      }
    }).catch((err: unknown) => { this.c.logger.error({ err }, 'heartbeat round failed') }).finally(() => { if (!answered) e.inFlight = false })
  }

  /** see REFUSAL_GRACE_FLOOR_MS */
  private refusalGraceMs (e: Entry): number {
    return Math.max(REFUSAL_GRACE_FLOOR_MS, Math.min(3 * (e.tel.srttMs ?? 0), this.init.pingIntervalMs / 4))
  }

  /** resolves after `ms` on the links' clock; rejects when `signal` aborts first */
  private async delay (ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { timer.clear(); reject(signal.reason) }
      const timer = this.c.clock.setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** the detector's phi, raised by refused dials since the last heartbeat */
  private phiOf (e: Entry, now: number): number {
    return Math.max(e.phi.phi(now), e.refusedSinceBeat * REFUSAL_PHI)
  }

  private beat (peerId: string, e: Entry): void {
    const now = this.c.clock.now()
    e.lastSeen = now
    // the lost pings of the silence just ended tell the detector how lossy this link is
    if (e.phi.heartbeat(now, e.failsSinceBeat)) e.failsSinceBeat = 0
    e.refusedSinceBeat = 0
    if (e.condemnedBy != null && e.condemnedBy.size > 0) {
      // a verdict refuted: the peer is heard from, and no recovery run is owed for evidence that was never its own
      e.condemnedBy = undefined
      this.apply(peerId, e, { type: 'refuted', now })
    }
    this.apply(peerId, e, { type: 'heartbeat', now })
  }

  private apply (peerId: string, e: Entry, ev: Parameters<typeof transition>[1]): void {
    const next = transition(e.status, ev, this.thresholds)
    if (next === e.status) return
    const from = e.status.state
    e.status = next
    if (next.state !== from) {
      this.c.logger.info({ peerId, from, to: next.state, phi: Math.round(this.phiOf(e, ev.now) * 10) / 10, refused: e.refusedSinceBeat }, 'peer state changed')
      for (const fn of this.listeners) {
        try { fn(peerId, from, next.state) } catch (err) { this.c.logger.error({ err }, 'link listener failed') }
      }
    }
  }
}

/** name, code and message of an error and what it wraps, for a debug line */
function describeError (err: unknown, depth = 0): string {
  if (err == null || typeof err !== 'object' || depth > 4) return String(err)
  const e = err as { name?: unknown, code?: unknown, message?: unknown, cause?: unknown, errors?: unknown }
  let s = `${String(e.name)}${typeof e.code === 'string' ? `(${e.code})` : ''}: ${String(e.message).slice(0, 80)}`
  if (Array.isArray(e.errors)) s += ` [${e.errors.map((x) => describeError(x, depth + 1)).join('; ')}]`
  if (e.cause != null) s += ` <- ${describeError(e.cause, depth + 1)}`
  return s
}

export function createLinks (init: LinksInit = {}): (components: LinksComponents) => Links {
  return (components) => new Links(init, components)
}

export { PROBE_PROTOCOL, probeHandler, prober } from './probe.ts'

/**
 * Where `peer` stands as seen from `self` on a hash ring: how far clockwise
 * from self's point to peer's. Pinging the lowest k means pinging one's k
 * successors, so in a fleet where everyone knows everyone each member is
 * watched by exactly k others, its k predecessors.
 */
export function ringDistance (self: string, peer: string): number {
  return (ringPoint(peer) - ringPoint(self)) >>> 0
}

/** FNV-1a, then murmur3's finaliser so that IDs differing only at the end land far apart */
function ringPoint (id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return h >>> 0
}
