/**
 * Discovery and fleet membership on the wire: who is in the fleet, where they
 * are, and what they announce.
 *
 * - Membership at the connection: the fleet's ConnectionGater keeps revoked
 *   and recently refused peers out; right after a connection opens, the
 *   dialer and the listener exchange a MembershipHello on
 *   /skein/membership/1.0.0 (certificate first; revocations and the latest
 *   announcements only after the other side proved membership). A connection
 *   without a valid, unexpired, unrevoked certificate for its peer ID within
 *   `handshakeTimeoutMs` is closed and the peer refused for a while.
 * - Announcements over gossipsub on the fleet's topic, signed, sequence-
 *   numbered (the sequence is persisted), with expiry, validated by a topic
 *   validator that drops stale, replayed, oversized, badly signed and
 *   non-member ones, counted by reason.
 * - Anti-entropy: every `syncIntervalMs` (sooner while news arrives) a
 *   member compares digests of the announcements and revocations it holds
 *   with one connected member picked at random on /skein/membership-sync/1.0.0
 *   and both fetch what they lack (protocol/membership/sync.ts), so what
 *   gossip did not bring (a mesh still forming, a saturated peer) still comes.
 * - Verdicts: when a member this agent pings becomes unreachable, it signs
 *   and gossips a verdict (proto/verdict.proto) on the fleet's verdict topic;
 *   members that do not ping that one (a fleet beyond links.maxMonitored) take
 *   it to Links.condemn, those that do ping it at once; the subject refutes a
 *   verdict about itself by announcing again. Detection thus spreads to the
 *   whole fleet in about one gossip hop after the first watcher's.
 * - A private Kad-DHT (its own protocol prefix) where members provide the
 *   fleet's key; mDNS and bootstrap add candidates; everyone found is dialled.
 *
 * For other subsystems (peering, offers, tunnels):
 *   discovery.isMember(peerId)                 // verified member now
 *   node.handle(PROTO, discovery.guard(handler)) // streams only from members
 *   discovery.update({ offer, wgPublicKey, wgKeyBinding, podCidr }) // re-announce with new fields
 *   discovery.peer(peerId)?.announcement.offer
 *   discovery.onAnnouncement((rec) => ...)
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { Counter, type Registry } from 'prom-client'
import type { Connection, PeerId, PrivateKey, Stream, StreamHandler } from '@libp2p/interface'
import type { GossipSub, Message, TopicValidatorResult as TVR } from '@libp2p/gossipsub'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Clock } from '../clock.ts'
import type { ComponentLogger } from '../logger.ts'
import type { Store } from '../store/index.ts'
import type { SkeinNode } from '../node/index.ts'
import type { Fleet } from '../fleet/index.ts'
import type { Links } from '../links/index.ts'
import { MembershipHello, MembershipSync, SignedCertificate, SignedRevocation } from '../../protocol/pb/membership.js'
import {
  MEMBERSHIP_PROTOCOL, MAX_HELLO_BYTES, MAX_HELLO_ANNOUNCEMENTS, MAX_HELLO_REVOCATIONS, NotAMemberError, type Certificate,
  SYNC_PROTOCOL, MAX_SYNC_BYTES, MAX_SYNC_ANNOUNCEMENTS, REVOCATIONS_BIT, SyncFrameError, digest, entriesIn, mismatched, plan
} from '../../protocol/membership/index.ts'
import {
  dropReasons, signAnnouncement, validateAnnouncement, type AnnouncementData, type DropReason, type OfferSummary
} from '../../protocol/announce/index.ts'
import { announceTopic, fleetCid, revocationTopic, verdictTopic } from './topics.ts'
import { makeVerdict, openVerdict, verdictDropReasons, type VerdictDropReason } from '../../protocol/verdict/index.ts'
import { version } from '../version.ts'

export { discoveryServices, type DiscoveryServicesInit } from './services.ts'
export { announceTopic, revocationTopic, verdictTopic, dhtProtocol, fleetCid } from './topics.ts'
export type { AnnouncementData, OfferSummary } from '../../protocol/announce/index.ts'

const membershipErrors = new Set(['NotAMemberError', 'CertificateExpiredError', 'CertificateRevokedError', 'CertificatePeerMismatchError', 'BadSignatureError'])

// gossipsub's TopicValidatorResult is an enum; its values are plain strings
const Accept = 'accept' as TVR
const Ignore = 'ignore' as TVR
const Reject = 'reject' as TVR

export type GossipDropReason = DropReason | 'unverified-source'

export interface DiscoveryInit {
  /** ms between re-announcements (jittered ±20 %) in a fleet of up to 32, more apart in a larger one (announceScale); default 30000 */
  announceIntervalMs?: number
  /** lifetime of an announcement, ms, in a fleet of up to 32 (it grows as the period does); default 3 × announceIntervalMs */
  announceTtlMs?: number
  /** ms a new connection has to prove membership; default 5000 */
  handshakeTimeoutMs?: number
  /** ms between DHT provide/find rounds; default 60000 */
  dhtIntervalMs?: number
  labels?: Record<string, string>
  /** dial every member we learn of; default true */
  connectToAll?: boolean
  /** multiaddrs (with /p2p/) to redial, with backoff, while we have no connection at all */
  bootstrap?: string[]
  /**
   * ms the member with the greater peer ID waits, when both learn of each
   * other at once (a join), for the other's dial before dialling itself; default 3000
   */
  dialGraceMs?: number
  /**
   * ms between anti-entropy rounds with one member picked at random (jittered
   * ±25 %); a round follows within a second of news (a member we did not
   * know, a round that found differences). 0 turns it off. Default 5000
   */
  syncIntervalMs?: number
  /**
   * publish a verdict when a member this agent pings becomes unreachable, and
   * take other watchers' verdicts about members it does not ping; default true
   */
  verdicts?: boolean
}

/** verdicts taken from one watcher per minute at most */
const VERDICTS_PER_WATCHER_PER_MIN = 30

/** a member's sync requests closer together than this are refused */
const SYNC_MIN_GAP_MS = 500
/**
 * How long one anti-entropy round may take, from either side. A round that
 * brings a newcomer the fleet carries up to 512 announcements (up to 1 MB):
 * 80 s at 100 kbit/s, and several seconds on a busy host. It had the 5 s of a
 * membership hello, so the rounds a join needs most failed most: in a
 * simulated fleet of 100 on one core nearly every round timed out and the last
 * members to join heard of nobody. A round that runs long delays only the next
 * round (rounds never overlap).
 */
const SYNC_TIMEOUT_MS = 30_000
/**
 * At most this many DHT rounds apart, the fleet key is provided and other
 * providers looked for (16 minutes at the default interval). Provider records
 * live 48 h in the DHT, which republishes its own once they are a day old.
 */
const DHT_MAX_ROUNDS_APART = 16

/** how soon a round follows news */
const SYNC_SOON_MS = 1000

/** members (this agent included) up to which announcements keep the configured period */
export const ANNOUNCE_SCALE_THRESHOLD = 32

/**
 * How many times the configured period apart a member of a fleet of
 * `members` announces: 1 up to 32 members, then one more for each doubling
 * begun (2 up to 64, 3 up to 128, 4 up to 256, 5 up to 512), as memberlist
 * (Serf, Consul) scales its push-pull rounds. Every member receives every
 * announcement about as many times as it has mesh peers, so with a fixed period
 * a member's gossip work grows with the fleet; with this it grows with the
 * fleet over its logarithm. Announcements are the heartbeats by which a member
 * judges the members it does not ping, and each carries its period, so those
 * judgements stretch with it; the members that ping a member (links.maxMonitored
 * of them) still find it gone within seconds and say so in verdicts.
 */
export function announceScale (members: number): number {
  if (members <= ANNOUNCE_SCALE_THRESHOLD) return 1
  return Math.ceil(Math.log2(members) - Math.log2(ANNOUNCE_SCALE_THRESHOLD)) + 1
}

export interface DiscoveryComponents {
  node: SkeinNode
  fleet: Fleet
  links: Links
  store: Store
  clock: Clock
  logger: ComponentLogger
  privateKey: PrivateKey
  registry?: Registry
}

export interface PeerRecord {
  peerId: string
  announcement: AnnouncementData
  /** the signed bytes, as received; relayed in hellos */
  raw: Uint8Array
  receivedAt: number
  source: 'gossip' | 'hello' | 'sync'
}

export interface AnnounceFields {
  offer?: OfferSummary
  wgPublicKey?: string
  /** the encoded, signed tunnel key binding (agent/tunnels/binding.ts) */
  wgKeyBinding?: Uint8Array
  podCidr?: string
  labels?: Record<string, string>
}

interface Services { pubsub: GossipSub, dht?: KadDHT }

export class Discovery {
  readonly fleetId: string
  readonly topic: string
  readonly revTopic: string
  readonly verdictTopic: string
  private readonly init: Required<DiscoveryInit>
  private readonly c: DiscoveryComponents
  private readonly self: string
  private readonly records = new Map<string, PeerRecord>()
  /** the signed bytes of every record held (as a string key) → its peer ID: hellos and gossip carry them again and again */
  private readonly heldRaw = new Map<string, string>()
  private readonly deferredDials = new Map<string, { clear(): void }>()
  private readonly verifiedConns = new WeakSet<Connection>()
  private readonly waiters = new Map<string, Set<() => void>>()
  private readonly dialing = new Set<string>()
  private readonly lastFindPeer = new Map<string, number>()
  private readonly listeners = new Set<(rec: PeerRecord) => void>()
  private readonly abort = new AbortController()
  private readonly timers: Array<{ clear(): void }> = []
  private readonly handshakeTimers = new Set<{ clear(): void }>()
  private fields: AnnounceFields = {}
  private seq: number
  private ownRaw?: Uint8Array
  private announceTimer?: { clear(): void }
  private pendingAnnounce?: { clear(): void }
  private lastAnnounceAt = 0
  private bootstrapBackoffMs = 1000
  /** DHT rounds between provides and provider lookups (see dhtRound), and rounds left until the next */
  private dhtEvery = 1
  private dhtSkip = 0
  private nextBootstrapAt = 0
  private running = false
  private readonly unsubscribe: Array<() => void> = []
  private readonly mIn?: Counter
  private readonly mOut?: Counter
  private readonly mDropped?: Counter
  private readonly mRefused?: Counter
  private readonly mSync?: Counter
  private readonly mVerdicts?: Counter
  /** verdicts seen (watcher subject seq), oldest first */
  private readonly seenVerdicts = new Set<string>()
  private readonly verdictBudget = new Map<string, { count: number, since: number }>()
  private readonly lastVerdictOut = new Map<string, number>()
  /** verdicts by outcome: published, taken, refuted-self, and drop reasons; also without a registry */
  readonly verdictCounts: Record<string, number> = {}
  private ownSeq = 0
  private syncTimer?: { clear(): void }
  private syncAt = 0
  private readonly lastSyncFrom = new Map<string, number>()
  /** anti-entropy rounds by role and outcome, also without a registry (tests, status) */
  readonly syncs: Record<string, number> = {}
  /** drop counts by reason, also without a registry (tests, status) */
  readonly drops: Record<string, number> = {}
  messagesIn = 0
  messagesOut = 0

  constructor (init: DiscoveryInit, components: DiscoveryComponents) {
    const interval = init.announceIntervalMs ?? 30_000
    this.init = {
      announceIntervalMs: interval,
      announceTtlMs: init.announceTtlMs ?? interval * 3,
      handshakeTimeoutMs: init.handshakeTimeoutMs ?? 5000,
      dhtIntervalMs: init.dhtIntervalMs ?? 60_000,
      labels: init.labels ?? {},
      connectToAll: init.connectToAll ?? true,
      bootstrap: init.bootstrap ?? [],
      dialGraceMs: init.dialGraceMs ?? 3000,
      syncIntervalMs: init.syncIntervalMs ?? 5000,
      verdicts: init.verdicts ?? true
    }
    this.c = components
    this.self = components.node.peerId.toString()
    this.fleetId = components.fleet.fleetId
    this.topic = announceTopic(this.fleetId)
    this.revTopic = revocationTopic(this.fleetId)
    this.verdictTopic = verdictTopic(this.fleetId)
    this.seq = components.store.getValue<number>('discovery', 'seq') ?? 0
    if (components.registry != null) {
      const registers = [components.registry]
      this.mIn = new Counter({ name: 'skein_gossip_messages_total', help: 'Gossip messages (announcements, revocations) received (in) and published (out)', labelNames: ['direction'], registers })
      this.mOut = this.mIn
      this.mDropped = new Counter({ name: 'skein_gossip_dropped_total', help: 'Announcements and revocations dropped, by reason', labelNames: ['reason'], registers })
      this.mSync = new Counter({ name: 'skein_membership_syncs_total', help: 'Anti-entropy rounds with another member, by role (initiator, responder) and outcome (in-sync, repaired, refused, failed)', labelNames: ['role', 'outcome'], registers })
      this.mVerdicts = new Counter({ name: 'skein_verdicts_total', help: 'Watchers\' verdicts that a member is unreachable: published by this agent, taken from others, about this agent (refuted by announcing again), and dropped by reason', labelNames: ['outcome'], registers })
      for (const o of ['published', 'taken', 'refuted-self', ...verdictDropReasons]) this.mVerdicts.inc({ outcome: o }, 0)
      this.mRefused = new Counter({ name: 'skein_membership_refused_total', help: 'Connections closed because the peer did not prove fleet membership, by error', labelNames: ['reason'], registers })
      for (const d of ['in', 'out']) this.mIn.inc({ direction: d }, 0)
      for (const r of [...dropReasons, 'unverified-source']) this.mDropped.inc({ reason: r }, 0)
    }
  }

  private get services (): Services {
    return this.c.node.services as unknown as Services
  }

  async start (): Promise<void> {
    if (this.running) return
    this.running = true
    const { node, fleet, links } = this.c
    if (fleet.mode === 'standalone') {
      this.c.logger.warn('no fleet key configured: running standalone, membership is not enforced and any peer is accepted')
    } else {
      this.c.logger.info({ fleetId: this.fleetId, mode: fleet.mode, expires: fleet.own != null ? new Date(fleet.own.expiresMs).toISOString() : undefined }, 'fleet membership on')
    }
    await node.handle(MEMBERSHIP_PROTOCOL, (stream, conn) => { this.onHelloStream(stream, conn).catch((err) => { this.c.logger.debug({ err }, 'membership hello failed') }) },
      { maxInboundStreams: 4, maxOutboundStreams: 4 })
    if (this.init.syncIntervalMs > 0) {
      await node.handle(SYNC_PROTOCOL, this.guard(async (stream, conn) => { await this.onSyncStream(stream, conn) }),
        { maxInboundStreams: 2, maxOutboundStreams: 2 })
    }
    const onOpen = (evt: CustomEvent<Connection>): void => { this.onConnection(evt.detail) }
    node.addEventListener('connection:open', onOpen)
    this.unsubscribe.push(() => { node.removeEventListener('connection:open', onOpen) })
    const onDiscovered = (evt: CustomEvent<{ id: PeerId }>): void => { this.dialCandidate(evt.detail.id.toString()) }
    node.addEventListener('peer:discovery', onDiscovered)
    this.unsubscribe.push(() => { node.removeEventListener('peer:discovery', onDiscovered) })
    const onSelfUpdate = (): void => { this.announceSoon() }
    node.addEventListener('self:peer:update', onSelfUpdate)
    this.unsubscribe.push(() => { node.removeEventListener('self:peer:update', onSelfUpdate) })
    this.unsubscribe.push(fleet.onRevoked((info) => { this.onRevoked(info.peerId) }))
    this.unsubscribe.push(links.onChange((peerId, _from, to) => {
      if (to === 'unreachable') {
        this.findPeer(peerId)
        this.publishVerdict(peerId)
      }
      // a connection to a member unreachable for goneAfter is dead or useless (half-open after a power loss): close
      // it. Not sooner: on a busy host a living member can look unreachable for a while, and every closed
      // connection costs a redial, a Noise handshake and a hello
      if (to === 'gone') this.c.node.hangUp(peerIdFromString(peerId)).catch(() => {})
    }))

    const pubsub = this.services.pubsub
    pubsub.topicValidators.set(this.topic, async (from, msg) => await this.validateGossip(from, msg))
    pubsub.topicValidators.set(this.revTopic, async (from, msg) => await this.validateRevocation(from, msg))
    pubsub.subscribe(this.topic)
    pubsub.subscribe(this.revTopic)
    if (this.init.verdicts) {
      pubsub.topicValidators.set(this.verdictTopic, async (from, msg) => await this.validateVerdict(from, msg))
      pubsub.subscribe(this.verdictTopic)
    }
    if (fleet.mode === 'standalone') {
      // without a fleet key no hello carries our announcement: a peer we have heard nothing from that just
      // joined the topic missed our last one (we published before its subscription reached us)
      const onSubscription = (evt: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
        if (!this.records.has(evt.detail.peerId.toString()) && evt.detail.subscriptions.some((s) => s.subscribe && s.topic === this.topic)) this.repairSoon()
      }
      pubsub.addEventListener('subscription-change', onSubscription)
      this.unsubscribe.push(() => { pubsub.removeEventListener('subscription-change', onSubscription) })
    }

    // connections that opened before we listened (none normally; be safe)
    for (const conn of node.getConnections()) this.onConnection(conn)

    await this.announce()
    this.scheduleAnnounce()
    if (this.init.bootstrap.length > 0) this.timers.push(this.c.clock.setInterval(() => { this.rebootstrap() }, 1000))
    this.scheduleSync(this.init.syncIntervalMs)
    if (this.services.dht != null) {
      const t = this.c.clock.setTimeout(() => { this.dhtRound() }, 1500)
      this.timers.push(t)
      this.timers.push(this.c.clock.setInterval(() => { this.dhtRound() }, this.init.dhtIntervalMs))
    }
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.abort.abort()
    for (const t of this.timers) t.clear()
    for (const t of this.handshakeTimers) t.clear()
    this.handshakeTimers.clear()
    for (const t of this.deferredDials.values()) t.clear()
    this.deferredDials.clear()
    this.announceTimer?.clear()
    this.pendingAnnounce?.clear()
    this.syncTimer?.clear()
    for (const u of this.unsubscribe) u()
    const pubsub = this.services.pubsub
    pubsub.topicValidators.delete(this.topic)
    pubsub.topicValidators.delete(this.revTopic)
    pubsub.topicValidators.delete(this.verdictTopic)
    for (const ws of this.waiters.values()) for (const w of ws) w()
    try { await this.c.node.unhandle(MEMBERSHIP_PROTOCOL) } catch {}
    if (this.init.syncIntervalMs > 0) try { await this.c.node.unhandle(SYNC_PROTOCOL) } catch {}
  }

  /** True for a verified fleet member (any peer in standalone mode). */
  isMember (peerId: string | PeerId): boolean {
    return this.c.fleet.isMember(peerId)
  }

  /** Resolves true once `peerId` is a verified member, false after `timeoutMs`. */
  async whenMember (peerId: string, timeoutMs = this.init.handshakeTimeoutMs): Promise<boolean> {
    if (this.isMember(peerId)) return true
    return await new Promise<boolean>((resolve) => {
      const set = this.waiters.get(peerId) ?? new Set()
      this.waiters.set(peerId, set)
      const done = (): void => { set.delete(done); t.clear(); resolve(this.isMember(peerId)) }
      const t = this.c.clock.setTimeout(done, timeoutMs)
      set.add(done)
    })
  }

  /**
   * Wraps a stream handler so that it only runs for verified members; a
   * stream from anyone else is aborted with NotAMemberError. Waits for a
   * membership handshake that is still under way.
   */
  guard (handler: StreamHandler): StreamHandler {
    return async (stream: Stream, conn: Connection) => {
      const peer = conn.remotePeer.toString()
      if (!await this.whenMember(peer)) {
        this.c.logger.debug({ peerId: peer, protocol: stream.protocol }, 'stream from a non-member refused')
        stream.abort(new NotAMemberError(`${peer} is not a fleet member`))
        return
      }
      await handler(stream, conn)
    }
  }

  peers (): PeerRecord[] {
    return [...this.records.values()]
  }

  peer (peerId: string): PeerRecord | undefined {
    return this.records.get(peerId)
  }

  /** The certificate a member presented, for display. */
  certificate (peerId: string): Certificate | undefined {
    return this.c.fleet.memberCertificate(peerId)
  }

  onAnnouncement (fn: (rec: PeerRecord) => void): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  /** Changes what we announce (offer, WireGuard key, pod CIDR, labels) and re-announces soon. */
  update (fields: AnnounceFields): void {
    this.fields = { ...this.fields, ...fields }
    this.announceSoon()
  }

  get sequence (): number {
    return this.seq
  }

  /** Publishes a revocation to the fleet (after the fleet accepted it). */
  async publishRevocation (bytes: Uint8Array): Promise<void> {
    try {
      await this.services.pubsub.publish(this.revTopic, bytes)
      this.count('out')
    } catch (err) {
      this.c.logger.warn({ err }, 'could not publish the revocation; it spreads with the next hellos')
    }
  }

  /** Signs and publishes our announcement now. */
  async announce (): Promise<void> {
    if (!this.running) return
    const now = this.c.clock.now()
    this.seq += 1
    // persisted before it leaves, so a restart never reuses a sequence number
    this.c.store.put('discovery', 'seq', this.seq)
    const data: AnnouncementData = {
      peerId: this.self,
      seq: this.seq,
      issuedMs: now,
      expiresMs: now + this.init.announceTtlMs * this.scale(),
      intervalMs: this.periodMs(),
      addrs: this.c.node.getMultiaddrs().map((a) => a.toString()),
      labels: { ...(this.c.fleet.own?.labels ?? {}), ...this.init.labels, ...(this.fields.labels ?? {}) },
      version,
      ...(this.fields.offer != null ? { offer: this.fields.offer } : {}),
      ...(this.fields.wgPublicKey != null ? { wgPublicKey: this.fields.wgPublicKey } : {}),
      ...(this.fields.wgKeyBinding != null ? { wgKeyBinding: this.fields.wgKeyBinding } : {}),
      ...(this.fields.podCidr != null ? { podCidr: this.fields.podCidr } : {})
    }
    this.ownRaw = await signAnnouncement(this.c.privateKey, data, this.c.fleet.certificate)
    this.ownSeq = data.seq
    this.lastAnnounceAt = now
    let reached = 0
    try {
      reached = (await this.services.pubsub.publish(this.topic, this.ownRaw)).recipients.length
      this.count('out')
    } catch (err) {
      this.c.logger.debug({ err }, 'announcement not published')
    }
    // nobody heard it (we just joined, the mesh is not formed yet): try again shortly rather than at the next period
    if (reached === 0 && this.c.node.getConnections().length > 0) this.announceSoon()
  }

  // --- announcements ---------------------------------------------------------

  /** announceScale for the fleet this agent knows: the members it holds records of and itself */
  private scale (): number {
    return announceScale(this.records.size + 1)
  }

  /** the period between our announcements now, ms */
  periodMs (): number {
    return this.init.announceIntervalMs * this.scale()
  }

  private scheduleAnnounce (): void {
    if (!this.running) return
    const jitter = 0.8 + Math.random() * 0.4
    this.announceTimer = this.c.clock.setTimeout(() => {
      this.announce().catch((err) => { this.c.logger.error({ err }, 'announce failed') }).finally(() => { this.scheduleAnnounce() })
    }, Math.round(this.periodMs() * jitter))
  }

  private announceSoon (): void {
    if (!this.running || this.pendingAnnounce != null) return
    // at most one announcement per second on changes
    const wait = Math.max(100, this.lastAnnounceAt + 1000 - this.c.clock.now())
    this.pendingAnnounce = this.c.clock.setTimeout(() => {
      this.pendingAnnounce = undefined
      this.announce().catch((err) => { this.c.logger.error({ err }, 'announce failed') })
    }, wait)
  }

  private async validateGossip (from: PeerId, msg: Message): Promise<TVR> {
    this.count('in')
    if (this.c.fleet.mode === 'enforcing' && !this.isMember(from)) {
      // not necessarily malicious: its hello may still be on the way
      this.dropped('unverified-source')
      return Ignore
    }
    const r = await this.ingest(msg.data, 'gossip')
    if (r === true) return Accept
    return r === 'replayed' || r === 'stale' || r === 'self' ? Ignore : Reject
  }

  /**
   * Validates and applies one announcement; true when accepted, else the
   * reason it was dropped. `sender` is the peer whose hello carried it.
   */
  private async ingest (bytes: Uint8Array, source: PeerRecord['source'], sender?: string): Promise<true | DropReason> {
    const fleet = this.c.fleet
    // the very bytes of a record we hold, from a member still in good standing: validating them again (two signature
    // checks) could only end in the verdict below; a join brings each member the whole fleet's records in every hello
    const key = rawKey(bytes)
    const heldFor = this.heldRaw.get(key)
    const held = heldFor != null ? this.records.get(heldFor) : undefined
    if (held != null && this.isMember(held.peerId)) {
      const reason: DropReason = held.announcement.expiresMs <= this.c.clock.now() ? 'stale' : 'replayed'
      this.dropped(reason)
      return reason
    }
    const r = await validateAnnouncement(bytes, {
      now: this.c.clock.now(),
      lastSeq: (id) => this.records.get(id)?.announcement.seq,
      self: this.self,
      ...(fleet.enabled ? { checkMember: async (id: string, cert: Uint8Array) => { await fleet.checkMember(id, cert) } } : {})
    })
    if (!r.ok) {
      this.dropped(r.reason)
      if (r.reason !== 'replayed' && r.reason !== 'self') this.c.logger.debug({ reason: r.reason, peerId: r.peerId, source }, r.message)
      return r.reason
    }
    const a = r.announcement
    const news = !this.records.has(a.peerId) || this.c.links.state(a.peerId) !== 'alive'
    const rec: PeerRecord = { peerId: a.peerId, announcement: a, raw: bytes, receivedAt: this.c.clock.now(), source }
    this.forget(a.peerId)
    this.records.set(a.peerId, rec)
    this.heldRaw.set(key, a.peerId)
    this.c.links.track(a.peerId)
    if (a.intervalMs != null) this.c.links.expectAnnouncements(a.peerId, a.intervalMs)
    this.c.links.heartbeat(a.peerId)
    const addrs = a.addrs.flatMap((s) => { try { return [multiaddr(s)] } catch { return [] } })
    try {
      await this.c.node.peerStore.merge(peerIdFromString(a.peerId), { multiaddrs: addrs })
    } catch {}
    if (this.init.connectToAll && this.c.node.getConnections(peerIdFromString(a.peerId)).length === 0) this.dialMember(a.peerId)
    // a member that just joined (or came back) dialled us and told us about itself in its hello: pass that on
    // over the mesh we are already part of, rather than leave the fleet waiting until its own gossip mesh forms
    if (source === 'hello' && sender === a.peerId && news) this.relay(bytes)
    // a member we did not know: others may not know it either, or know more (a join under way)
    if (news) this.syncSoon()
    for (const fn of this.listeners) {
      try { fn(rec) } catch (err) { this.c.logger.error({ err }, 'announcement listener failed') }
    }
    return true
  }

  private relay (bytes: Uint8Array): void {
    this.services.pubsub.publish(this.topic, bytes)
      .then(() => { this.count('out') })
      .catch((err) => { this.c.logger.debug({ err: (err as Error).message }, 'announcement not relayed') })
  }

  private async validateRevocation (from: PeerId, msg: Message): Promise<TVR> {
    this.count('in')
    if (!this.c.fleet.enabled) return Ignore
    try {
      const { added } = await this.c.fleet.addRevocation(msg.data)
      return added ? Accept : Ignore
    } catch (err) {
      this.dropped('bad-signature')
      this.c.logger.debug({ err, from: from.toString() }, 'revocation refused')
      return Reject
    }
  }

  /** drops the record held for `peerId` */
  private forget (peerId: string): void {
    const old = this.records.get(peerId)
    if (old != null) this.heldRaw.delete(rawKey(old.raw))
    this.records.delete(peerId)
  }

  private onRevoked (peerId: string): void {
    this.forget(peerId)
    this.c.links.untrack(peerId)
    const id = peerIdFromString(peerId)
    this.c.node.hangUp(id).catch(() => {})
  }

  // --- membership handshake --------------------------------------------------

  private onConnection (conn: Connection): void {
    const peer = conn.remotePeer.toString()
    const fleet = this.c.fleet
    if (fleet.mode === 'standalone') {
      this.admitted(peer, conn)
      return
    }
    if (fleet.mode === 'enforcing' && fleet.isDenied(peer)) {
      this.refuse(conn, new NotAMemberError(`${peer} is refused`))
      return
    }
    const timer = this.c.clock.setTimeout(() => {
      this.handshakeTimers.delete(timer)
      if (!this.verifiedConns.has(conn) && conn.status === 'open') {
        const err = new Error(`no membership hello from ${peer} within ${this.init.handshakeTimeoutMs} ms`)
        err.name = 'MembershipTimeoutError'
        this.refuse(conn, err)
      }
    }, this.init.handshakeTimeoutMs)
    this.handshakeTimers.add(timer)
    if (conn.direction === 'outbound') {
      this.helloOutbound(conn).catch((err) => {
        this.c.logger.debug({ err, peerId: peer }, 'membership hello failed')
        if (!this.verifiedConns.has(conn)) this.refuse(conn, err as Error)
      })
    }
  }

  private hello (full: boolean): MembershipHello {
    const cert = this.c.fleet.certificate
    const hello: MembershipHello = { revocations: [], announcements: [] }
    if (cert.byteLength > 0) hello.certificate = SignedCertificate.decode(cert)
    if (!full) return hello
    hello.revocations = this.revocationsOut()
    const now = this.c.clock.now()
    const anns: Uint8Array[] = this.ownRaw != null ? [this.ownRaw] : []
    for (const rec of this.records.values()) {
      if (anns.length >= MAX_HELLO_ANNOUNCEMENTS) break
      if (rec.announcement.expiresMs > now && this.c.links.state(rec.peerId) !== 'gone') anns.push(rec.raw)
    }
    hello.announcements = anns as Array<Uint8Array<ArrayBuffer>>
    return hello
  }

  /** dialer: certificate → ; ← full hello ; full hello → */
  private async helloOutbound (conn: Connection): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.init.handshakeTimeoutMs)])
    const started = this.c.clock.now()
    const stream = await conn.newStream(MEMBERSHIP_PROTOCOL, { signal })
    const pb = pbStream(stream, { maxDataLength: MAX_HELLO_BYTES })
    try {
      await pb.write(this.hello(false), MembershipHello, { signal })
      const reply = await pb.read(MembershipHello, { signal })
      const replied = this.c.clock.now()
      await this.verifyHello(conn, reply)
      await pb.write(this.hello(true), MembershipHello, { signal })
      await stream.close({ signal })
      await this.absorb(reply.revocations, reply.announcements, 'hello')
      // where a join spends its time: the socket's age when the hello began (the connection upgrade), the reply, the rest
      this.c.logger.debug({ peerId: conn.remotePeer.toString(), upgradeMs: started - conn.timeline.open, replyMs: replied - started, restMs: this.c.clock.now() - replied, announcements: reply.announcements.length }, 'membership hello done')
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }

  /** listener: ← certificate ; full hello → ; ← full hello */
  private async onHelloStream (stream: Stream, conn: Connection): Promise<void> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.init.handshakeTimeoutMs)])
    const pb = pbStream(stream, { maxDataLength: MAX_HELLO_BYTES })
    try {
      const first = await pb.read(MembershipHello, { signal })
      await this.verifyHello(conn, first)
      await pb.write(this.hello(true), MembershipHello, { signal })
      const full = await pb.read(MembershipHello, { signal })
      await stream.close({ signal })
      await this.absorb(full.revocations, full.announcements, 'hello', conn.remotePeer.toString())
    } catch (err) {
      stream.abort(err as Error)
      if (!this.verifiedConns.has(conn)) this.refuse(conn, err as Error)
    }
  }

  private async verifyHello (conn: Connection, hello: MembershipHello): Promise<void> {
    const peer = conn.remotePeer.toString()
    const certBytes = hello.certificate != null ? SignedCertificate.encode(hello.certificate) : new Uint8Array()
    try {
      await this.c.fleet.checkMember(peer, certBytes)
    } catch (err) {
      if (this.c.fleet.mode === 'permissive') {
        this.c.logger.warn({ peerId: peer, err: (err as Error).message }, 'peer is not a fleet member (fleet.required is false: connection kept)')
        return
      }
      throw err
    }
    this.admitted(peer, conn)
  }

  /**
   * Takes the revocations and announcements a hello or a sync round brought. `sender`: the peer that sent them;
   * for a hello, the peer that dialled us, whose own announcement in it we pass on when it is news
   */
  private async absorb (revocations: SignedRevocation[], announcements: Uint8Array[], source: 'hello' | 'sync', sender?: string): Promise<void> {
    if (this.c.fleet.enabled) {
      for (const r of revocations.slice(0, MAX_HELLO_REVOCATIONS)) {
        try { await this.c.fleet.addRevocation(SignedRevocation.encode(r)) } catch { this.dropped('bad-signature') }
      }
    }
    const most = source === 'sync' ? MAX_SYNC_ANNOUNCEMENTS : MAX_HELLO_ANNOUNCEMENTS
    for (const a of announcements.slice(0, most)) await this.ingest(a, source, sender)
  }

  private admitted (peer: string, conn: Connection): void {
    if (this.verifiedConns.has(conn)) return
    this.verifiedConns.add(conn)
    // a member we have no announcement from: it may have joined after its own first one went nowhere, or not
    // have ours. An anti-entropy round repairs both ways between two members; a fleet-wide announcement from every
    // member admitting a newcomer (one per member per join, each sent to every member) made joins cost O(N²) messages
    if (!this.records.has(peer)) this.repairSoon()
    this.c.links.track(peer)
    this.c.links.heartbeat(peer)
    this.c.node.peerStore.merge(conn.remotePeer, { tags: { 'skein-member': { value: 50 } } }).catch(() => {})
    const ws = this.waiters.get(peer)
    if (ws != null) { this.waiters.delete(peer); for (const w of [...ws]) w() }
  }

  /**
   * Closes a connection that did not prove membership. The peer is refused
   * for a while only when its certificate was checked and found wanting; a
   * hello that broke on the wire just costs the connection.
   */
  private refuse (conn: Connection, err: Error): void {
    const peer = conn.remotePeer.toString()
    if (this.c.fleet.mode !== 'enforcing' || !this.running) return
    if (membershipErrors.has(err.name)) {
      this.c.fleet.deny(peer)
      this.mRefused?.inc({ reason: err.name })
      this.c.logger.warn({ peerId: peer, reason: err.name, err: err.message }, 'connection refused: not a fleet member')
    } else if (this.isMember(peer)) {
      // a member's hello failed on one connection (a duplicate closing, a reset): keep its other connections
      this.c.logger.debug({ peerId: peer, err: err.message }, 'membership hello failed on a connection of a member')
      return
    } else {
      this.c.logger.info({ peerId: peer, reason: err.name, err: err.message }, 'connection closed: membership not proven')
    }
    conn.close().catch(() => { conn.abort(err) })
  }

  // --- verdicts --------------------------------------------------------------

  private verdictCounted (outcome: 'published' | 'taken' | 'refuted-self' | VerdictDropReason): void {
    this.verdictCounts[outcome] = (this.verdictCounts[outcome] ?? 0) + 1
    this.mVerdicts?.inc({ outcome })
  }

  /**
   * Whether every member pings every other (a fleet within links.maxMonitored): then each finds out for itself
   * and verdicts, and refuting them, would be traffic for nothing
   */
  private allWatched (): boolean {
    const k = this.c.links.maxMonitored ?? 0
    return k === 0 || this.records.size <= k
  }

  /** a member this agent pings became unreachable by its own evidence: tell the fleet (once per subject per 10 s) */
  private publishVerdict (subject: string): void {
    if (!this.running || !this.init.verdicts || !this.c.links.monitored(subject) || this.allWatched()) return
    const held = this.records.get(subject)
    if (held == null) return
    const now = this.c.clock.now()
    if ((this.lastVerdictOut.get(subject) ?? -Infinity) + 10_000 > now) return
    this.lastVerdictOut.set(subject, now)
    if (this.lastVerdictOut.size > 4096) this.lastVerdictOut.clear()
    makeVerdict(this.c.privateKey, { watcher: this.self, subject, subjectSeq: held.announcement.seq, issuedMs: now })
      .then(async (bytes) => await this.services.pubsub.publish(this.verdictTopic, bytes))
      .then(() => { this.count('out'); this.verdictCounted('published') })
      .catch((err) => { this.c.logger.debug({ err: (err as Error).message, subject }, 'verdict not published') })
  }

  private async validateVerdict (from: PeerId, msg: Message): Promise<TVR> {
    this.count('in')
    if (this.c.fleet.mode === 'enforcing' && !this.isMember(from)) {
      this.dropped('unverified-source')
      return Ignore
    }
    const now = this.c.clock.now()
    const r = await openVerdict(msg.data, { now, isMember: (p) => p === this.self || this.isMember(p) })
    if (!r.ok) {
      this.verdictCounted(r.reason)
      this.c.logger.debug({ reason: r.reason, from: from.toString() }, r.message)
      // only what no honest member forwards costs the forwarder its gossip score: a member we have not verified
      // yet (a join under way) or an old verdict may come from anyone
      return r.reason === 'malformed' || r.reason === 'oversized' || r.reason === 'bad-signature' ? Reject : Ignore
    }
    const v = r.verdict
    const key = `${v.watcher} ${v.subject} ${v.subjectSeq}`
    if (this.seenVerdicts.has(key)) {
      this.verdictCounted('replayed')
      return Ignore
    }
    this.seenVerdicts.add(key)
    if (this.seenVerdicts.size > 4096) this.seenVerdicts.delete(this.seenVerdicts.values().next().value as string)
    const budget = this.verdictBudget.get(v.watcher)
    if (budget == null || now - budget.since >= 60_000) {
      this.verdictBudget.set(v.watcher, { count: 1, since: now })
      if (this.verdictBudget.size > 4096) this.verdictBudget.clear()
    } else if (++budget.count > VERDICTS_PER_WATCHER_PER_MIN) {
      this.verdictCounted('rate-limited')
      return Ignore
    }
    if (v.subject === this.self) {
      // a verdict about us: we are here to read it, so announce again; the newer sequence number refutes it
      // (not in a fleet where every member pings every other: there nobody takes a verdict for more than a reason to ping)
      if (this.allWatched()) return Accept
      this.verdictCounted('refuted-self')
      this.c.logger.info({ watcher: v.watcher }, 'a member found this agent unreachable: announcing again')
      this.announceSoon()
      return Accept
    }
    const held = this.records.get(v.subject)
    if (held == null) {
      this.verdictCounted('unknown-subject')
      return Ignore
    }
    if (held.announcement.seq > v.subjectSeq) {
      this.verdictCounted('refuted')
      return Ignore
    }
    this.c.links.condemn(v.subject, v.watcher)
    this.verdictCounted('taken')
    return Accept
  }

  // --- anti-entropy ----------------------------------------------------------

  /** peer ID → sequence number of every unexpired announcement held, ours included */
  private held (): Map<string, number> {
    const now = this.c.clock.now()
    const m = new Map<string, number>()
    if (this.ownRaw != null) m.set(this.self, this.ownSeq)
    for (const r of this.records.values()) if (r.announcement.expiresMs > now) m.set(r.peerId, r.announcement.seq)
    return m
  }

  private rawOf (peerId: string): Uint8Array | undefined {
    if (peerId === this.self) return this.ownRaw
    const r = this.records.get(peerId)
    return r != null && r.announcement.expiresMs > this.c.clock.now() ? r.raw : undefined
  }

  private revokedIds (): string[] {
    return this.c.fleet.listRevocations().map((r) => r.info.peerId)
  }

  /** the revocations we hold, as a hello or a sync round carries them */
  private revocationsOut (): SignedRevocation[] {
    return this.c.fleet.listRevocations().slice(0, MAX_HELLO_REVOCATIONS).map((r) => SignedRevocation.decode(r.bytes))
  }

  /** (re)arms the next round `inMs` from now (jittered ±25 %), unless one is due sooner */
  private scheduleSync (inMs: number): void {
    if (!this.running || this.init.syncIntervalMs <= 0) return
    const wait = Math.round(inMs * (0.75 + Math.random() * 0.5))
    const at = this.c.clock.now() + wait
    if (this.syncTimer != null && this.syncAt <= at) return
    this.syncTimer?.clear()
    this.syncAt = at
    this.syncTimer = this.c.clock.setTimeout(() => {
      this.syncTimer = undefined
      this.syncRound()
        .catch((err) => { this.c.logger.debug({ err: (err as Error).message }, 'sync round failed') })
        .finally(() => { this.scheduleSync(this.init.syncIntervalMs) })
    }, wait)
  }

  /**
   * A member may lack our announcement or we its: an anti-entropy round soon (both sides of every join run one,
   * so the newcomer pulls what the fleet holds and the fleet its), or, with rounds off, our announcement again
   */
  private repairSoon (): void {
    if (this.init.syncIntervalMs > 0) this.syncSoon()
    else this.announceSoon()
  }

  private syncSoon (): void {
    this.scheduleSync(Math.min(SYNC_SOON_MS, this.init.syncIntervalMs))
  }

  private syncCounted (role: 'initiator' | 'responder', outcome: 'in-sync' | 'repaired' | 'refused' | 'failed'): void {
    const k = `${role} ${outcome}`
    this.syncs[k] = (this.syncs[k] ?? 0) + 1
    this.mSync?.inc({ role, outcome })
  }

  /** One round with a connected member picked at random. */
  private async syncRound (): Promise<void> {
    if (!this.running) return
    const conns = this.c.node.getConnections().filter((c) => c.status === 'open' && this.verifiedConns.has(c) && this.isMember(c.remotePeer))
    const conn = conns[Math.floor(Math.random() * conns.length)]
    if (conn == null) return
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(SYNC_TIMEOUT_MS)])
    let stream: Stream
    try {
      stream = await conn.newStream(SYNC_PROTOCOL, { signal })
    } catch (err) {
      this.syncCounted('initiator', 'failed')
      throw err
    }
    const pb = pbStream(stream, { maxDataLength: MAX_SYNC_BYTES })
    const peer = conn.remotePeer.toString()
    try {
      const mine = this.held()
      await pb.write({ buckets: digest(mine, this.revokedIds()) as Uint8Array<ArrayBuffer>, mismatched: 0, entries: [], announcements: [], want: [], revocations: [] }, MembershipSync, { signal })
      const reply = await pb.read(MembershipSync, { signal })
      if (reply.mismatched === 0) {
        await stream.close({ signal })
        this.syncCounted('initiator', 'in-sync')
        return
      }
      const { push, want } = plan(mine, reply.entries, reply.mismatched, this.self)
      const announcements = push.flatMap((p) => { const r = this.rawOf(p); return r != null ? [r as Uint8Array<ArrayBuffer>] : [] })
      const revocations = (reply.mismatched & REVOCATIONS_BIT) !== 0 ? this.revocationsOut() : []
      await pb.write({ buckets: new Uint8Array(), mismatched: 0, entries: [], announcements, want, revocations }, MembershipSync, { signal })
      const last = want.length > 0 ? await pb.read(MembershipSync, { signal }) : undefined
      await stream.close({ signal })
      await this.absorb(reply.revocations, last?.announcements.slice(0, want.length) ?? [], 'sync', peer)
      this.syncCounted('initiator', 'repaired')
      this.c.logger.debug({ peerId: peer, mismatched: reply.mismatched, sent: announcements.length, wanted: want.length }, 'sync round repaired differences')
      // differences found: more may be on the way (a join); look again soon
      this.syncSoon()
    } catch (err) {
      stream.abort(err as Error)
      this.syncCounted('initiator', 'failed')
      throw err
    }
  }

  /** responder: ← digest ; mismatch and our entries → ; ← theirs and wants ; wanted → */
  private async onSyncStream (stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString()
    const now = this.c.clock.now()
    if ((this.lastSyncFrom.get(peer) ?? -Infinity) + SYNC_MIN_GAP_MS > now) {
      this.syncCounted('responder', 'refused')
      stream.abort(new SyncFrameError(`sync requests from ${peer} closer together than ${SYNC_MIN_GAP_MS} ms`))
      return
    }
    this.lastSyncFrom.set(peer, now)
    if (this.lastSyncFrom.size > 4096) this.lastSyncFrom.clear()
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(SYNC_TIMEOUT_MS)])
    const pb = pbStream(stream, { maxDataLength: MAX_SYNC_BYTES })
    try {
      const first = await pb.read(MembershipSync, { signal })
      const mine = this.held()
      const mask = mismatched(digest(mine, this.revokedIds()), first.buckets)
      const revocations = (mask & REVOCATIONS_BIT) !== 0 ? this.revocationsOut() : []
      await pb.write({ buckets: new Uint8Array(), mismatched: mask, entries: entriesIn(mine, mask), announcements: [], want: [], revocations }, MembershipSync, { signal })
      if (mask === 0) {
        await stream.close({ signal })
        this.syncCounted('responder', 'in-sync')
        return
      }
      const second = await pb.read(MembershipSync, { signal })
      if (second.want.length > MAX_SYNC_ANNOUNCEMENTS || second.announcements.length > MAX_SYNC_ANNOUNCEMENTS) throw new SyncFrameError(`sync message with ${second.want.length} wants and ${second.announcements.length} announcements, at most ${MAX_SYNC_ANNOUNCEMENTS} each`)
      if (second.want.length > 0) {
        const wanted = [...new Set(second.want)].flatMap((p) => { const r = this.rawOf(p); return r != null ? [r as Uint8Array<ArrayBuffer>] : [] })
        await pb.write({ buckets: new Uint8Array(), mismatched: 0, entries: [], announcements: wanted, want: [], revocations: [] }, MembershipSync, { signal })
      }
      await stream.close({ signal })
      await this.absorb(second.revocations, second.announcements, 'sync', peer)
      this.syncCounted('responder', 'repaired')
    } catch (err) {
      stream.abort(err as Error)
      this.syncCounted('responder', 'failed')
      this.c.logger.debug({ peerId: peer, err: (err as Error).message }, 'sync with a member failed')
    }
  }

  // --- finding peers ---------------------------------------------------------

  private dial (peerId: string): void {
    if (!this.running || peerId === this.self || this.dialing.has(peerId)) return
    if (this.c.fleet.mode === 'enforcing' && this.c.fleet.isDenied(peerId)) return
    let id: PeerId
    try { id = peerIdFromString(peerId) } catch { return }
    if (this.c.node.getConnections(id).length > 0) return
    this.dialing.add(peerId)
    this.c.node.dial(id, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(10_000)]) })
      .catch((err) => { this.c.logger.debug({ peerId, err: (err as Error).message }, 'dial failed') })
      .finally(() => { this.dialing.delete(peerId) })
  }

  /**
   * A peer found by mDNS, a bootstrap list or the DHT, or one whose
   * announcement we just took: libp2p reports every peer first added to its
   * peer store as discovered, and taking an announcement adds its addresses.
   * A member we hold an announcement of is dialled as dialMember decides (in
   * a fleet larger than links.maxMonitored, only if we ping it); a peer we
   * know nothing of yet is dialled to learn whether it is a member, while we
   * have fewer connections than we ping members (mDNS on a LAN of 200 members
   * would have every member dial every other; gossip and anti-entropy bring
   * the rest of the fleet over the connections we have).
   */
  private dialCandidate (peerId: string): void {
    if (this.records.has(peerId)) {
      if (this.init.connectToAll) this.dialMember(peerId)
      return
    }
    const k = this.c.links.maxMonitored
    if (k > 0 && this.c.node.getConnections().length >= k) return
    this.dial(peerId)
  }

  /**
   * Dials a member we learned of from its announcement. When a member joins,
   * it learns the fleet from the first hello while the fleet learns of it from
   * the relay of that hello, so both sides of every pair would dial each other
   * at once: two Noise handshakes, identifies and hellos where one does, on a
   * fleet busy with the join. The smaller peer ID dials at once; the greater
   * waits `dialGraceMs` for that connection and dials only if none came (the
   * other side may not be able to reach us). In a fleet larger than
   * links.maxMonitored only the members this agent pings are dialled; the
   * rest are heard through the gossip mesh.
   */
  private dialMember (peerId: string): void {
    if (!this.c.links.monitored(peerId)) return
    if (this.self < peerId) { this.dial(peerId); return }
    if (this.deferredDials.has(peerId) || this.dialing.has(peerId)) return
    const t = this.c.clock.setTimeout(() => {
      this.deferredDials.delete(peerId)
      this.dial(peerId)
    }, Math.round(this.init.dialGraceMs * (1 + Math.random() * 0.25)))
    this.deferredDials.set(peerId, t)
  }

  /**
   * libp2p's bootstrap module dials once; a member that refused us (busy, or
   * per-address inbound rate limit) or was down must be retried while we are
   * alone, with exponential backoff up to 30 s.
   */
  private rebootstrap (): void {
    if (!this.running) return
    const now = this.c.clock.now()
    if (this.c.node.getConnections().length > 0) {
      this.bootstrapBackoffMs = 1000
      this.nextBootstrapAt = now + this.bootstrapBackoffMs
      return
    }
    if (now < this.nextBootstrapAt) return
    this.bootstrapBackoffMs = Math.min(30_000, this.bootstrapBackoffMs * 2)
    this.nextBootstrapAt = now + this.bootstrapBackoffMs * (0.75 + Math.random() * 0.5)
    for (const addr of this.init.bootstrap) {
      let ma
      try { ma = multiaddr(addr) } catch { continue }
      this.c.node.dial(ma, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(10_000)]) })
        .catch((err) => { this.c.logger.debug({ addr, err: (err as Error).message }, 'bootstrap dial failed') })
    }
  }

  /**
   * Every `dhtIntervalMs`: members still unreachable are looked up (they may
   * have moved). The fleet key is provided and other providers looked for in
   * the first rounds with a peer, and then, while the lookups find no member
   * we did not know, twice as many rounds apart each time, up to
   * DHT_MAX_ROUNDS_APART; one that finds a member new to us brings them back
   * to every round. Every member provides the one fleet key, so each lookup
   * makes the members nearest to it read and send back every provider record:
   * at 100 members a lookup a minute each was among the largest costs of a
   * busy host, for a path that gossip and anti-entropy make a fallback once
   * an agent has joined.
   */
  private dhtRound (): void {
    const dht = this.services.dht
    if (dht == null || !this.running) return
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(30_000)])
    // members still unreachable may have moved since we last asked (a few per round: each is a DHT query)
    for (const l of this.c.links.list().filter((x) => x.state === 'unreachable').slice(0, 3)) this.findPeer(l.peerId)
    if (this.dhtSkip > 0) { this.dhtSkip--; return }
    if (this.c.node.getPeers().length === 0) return
    ;(async () => {
      const cid = await fleetCid(this.fleetId)
      try {
        for await (const _ of dht.provide(cid, { signal })) { /* drain */ }
      } catch (err) { this.c.logger.debug({ err: (err as Error).message }, 'DHT provide failed') }
      let news = 0
      for await (const ev of dht.findProviders(cid, { signal })) {
        if (ev.name !== 'PROVIDER') continue
        for (const p of ev.providers) {
          const id = p.id.toString()
          if (id === this.self) continue
          if (!this.records.has(id)) news++
          await this.c.node.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => {})
          this.dialCandidate(id)
        }
      }
      // a lookup that found no member we did not know: the next one waits twice as many rounds
      this.dhtEvery = news > 0 ? 1 : Math.min(DHT_MAX_ROUNDS_APART, this.dhtEvery * 2)
      this.dhtSkip = this.dhtEvery - 1
    })().catch((err) => { this.c.logger.debug({ err: (err as Error).message }, 'DHT round failed') })
  }

  /**
   * Asks the DHT where a peer went (it may have moved), at most once per 30 s
   * per peer, and not while a connection to it is open: a member that moved
   * left its old connections behind, and on a busy host a living member found
   * unreachable would otherwise cost a DHT query each time.
   */
  private findPeer (peerId: string): void {
    if (this.services.dht == null || !this.running) return
    if (this.c.node.getConnections(peerIdFromString(peerId)).length > 0) return
    const now = this.c.clock.now()
    if ((this.lastFindPeer.get(peerId) ?? 0) + 30_000 > now) return
    this.lastFindPeer.set(peerId, now)
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(20_000)])
    // useCache: false, or the DHT answers from our own peer store: the old addresses we are asking about
    this.c.node.peerRouting.findPeer(peerIdFromString(peerId), { signal, useCache: false })
      .then(async (info) => {
        await this.c.node.peerStore.merge(info.id, { multiaddrs: info.multiaddrs })
      })
      .catch((err) => { this.c.logger.debug({ peerId, err: (err as Error).message }, 'DHT findPeer found nothing') })
  }

  private count (direction: 'in' | 'out'): void {
    if (direction === 'in') this.messagesIn++
    else this.messagesOut++
    this.mIn?.inc({ direction })
  }

  private dropped (reason: GossipDropReason): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1
    this.mDropped?.inc({ reason })
  }
}

/** a map key for the signed bytes of an announcement */
function rawKey (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

export function createDiscovery (init: DiscoveryInit = {}): (components: DiscoveryComponents) => Discovery {
  return (components) => new Discovery(init, components)
}
