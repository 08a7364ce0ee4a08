/**
 * Peering, the agent side: the provider's durable ledger and the consumer's
 * leases, over /skein/peering/1.0.0.
 *
 * Provider: answers requests from fleet members with a grant (possibly a
 * counter-offer of less) or a typed reject; the check against the offer and
 * the insert happen in one synchronous step inside a store transaction, so
 * concurrent requests can never overcommit. Missed renewals put a lease in
 * grace, then expire it; on expiry or release the tenant namespace goes.
 * Consumer: requests, renews at renewBy, releases. Either side may release.
 * Everything is in the store and resumes after a restart.
 *
 *   const peering = createPeering(config)({ store, clock, logger, privateKey, peerId, membership, capacity, tenants, node, metrics })
 *   await peering.start()
 *   const lease = await peering.request(providerId, { cpu: 2000, memory: 4 * 2 ** 30, pods: 20, gpu: 0, ephemeralStorage: 0 }, { durationMs: 86_400_000 })
 *   await peering.release(lease.id)
 */
import { randomUUID } from 'node:crypto'
import type { Connection, PrivateKey, Stream, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { Counter, Gauge } from 'prom-client'
import type { Store } from '../store/index.ts'
import type { Clock } from '../clock.ts'
import type { Logger, ComponentLogger } from '../logger.ts'
import type { Metrics } from '../metrics/index.ts'
import { PeeringFrame, type PeeringRequest } from '../../protocol/pb/peering.js'
import {
  peeringProtocol, PROTOCOL, MAX_FRAME_BYTES, STREAM_TIMEOUT_MS, DEFAULT_HOP_LIMIT, MAX_HOP_LIMIT, MAX_LEASE_MS, LEASE_ID_PATTERN,
  MAX_INBOUND_STREAMS, RejectReason, checkPath, decide, transition, advance, nextDeadline, isHolding, isTerminal, canTransition,
  fromWire, toWire, validateResources, equal, fits, zero, describeResources, leaseIdOf, errorForReject,
  DuplicateLeaseError, UnknownLeaseError, LeaseExpiredError, NotLeasePartyError, NotSharingError, PolicyDeniedError,
  TenantFailedError, MalformedFrameError, NotMemberError, PeerUnreachableError, InvalidQuantityError, PeeringError,
  InsufficientCapacityError, LoopDetectedError, add, sub, sum, min as rmin,
  type PeeringProtocol, type Opened, type BodyMessage, type Lease, type LeaseEvent, type LeaseRole, type LeaseState, type Resources
} from '../../protocol/peering/index.ts'
import { Offers, type CapacitySource, type OffersInit, type OfferView } from '../offers/index.ts'
import { LeaseLedger, type StoredLease } from './ledger.ts'
import { heldCapacity, eligibleFor, lendable, leftOf, offerPath, backGrant, type HeldLease, type HeldUsage } from './reoffer.ts'

export type { StoredLease, LeaseBacking } from './ledger.ts'
export type { HeldLease, HeldUsage } from './reoffer.ts'

/** The slice of a libp2p node peering uses. */
export interface PeeringNetwork {
  handle(protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: { maxInboundStreams?: number, maxOutboundStreams?: number, force?: true }): Promise<void>
  unhandle(protocol: string): Promise<void>
  dialProtocol(peer: PeerId, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream>
}

export interface Membership {
  isMember(peerId: string): boolean
  /** the peer's labels, for label-based sharing policy */
  labels?(peerId: string): Record<string, string> | undefined
}

/** Creates and removes the tenant namespace of a lease (agent/kube in production). Both idempotent. */
export interface Tenants {
  ensure(lease: Lease): Promise<void>
  remove(lease: Lease): Promise<void>
}

export interface PeeringComponents {
  store: Store
  clock: Clock
  logger: Logger
  privateKey: PrivateKey
  /** our peer id as a string */
  peerId: string
  membership: Membership
  capacity: CapacitySource
  tenants: Tenants
  /** absent: local only (the API still lists leases; requests fail) */
  network?: PeeringNetwork
  metrics?: Metrics
}

export interface PeeringInit {
  /** lease term when a request names none, ms; default 24 h */
  leaseDurationMs?: number
  /** how often a consumer renews (the heartbeat), ms; default 30 s */
  renewIntervalMs?: number
  /** how long a lease survives missed renewals before it expires, ms; default 2 min */
  graceMs?: number
  /** the provider's smallest grant per resource; default nothing */
  minGrant?: Resources
  /** hop limit put on our requests and offers, and the most we accept; default 4 */
  hopLimit?: number
  /** one request/response exchange, ms; default 10 s */
  streamTimeoutMs?: number
  /** how long tenant namespace creation may take before the grant is withdrawn, ms; default 8 s */
  tenantTimeoutMs?: number
  /** a consumer's unanswered request is given up after this, ms; default 60 s */
  requestTimeoutMs?: number
  /** attempts per request or renewal exchange; default 3 */
  attempts?: number
  /** offers: reserve, share policy, hysteresis, rate limit */
  offers?: OffersInit
  /** how far a peer's clock may be from ours, ms; default 60 s */
  maxSkewMs?: number
  /** the waterfall: also lend on the free part of leases we hold (split horizon, hop limit); default false */
  reoffer?: boolean
}

export interface RequestOptions {
  durationMs?: number
  /** the least we accept of a counter-offer; default: whatever the provider grants */
  min?: Resources
  /** reuse a lease id (to resume a request that got no answer) */
  leaseId?: string
  /** the path so far when re-requesting on someone's behalf; default [us] */
  path?: string[]
  hopLimit?: number
  signal?: AbortSignal
}

export interface KnownOffer {
  peer: string
  resources: Resources
  path: string[]
  at: number
}

export interface PeeringStats {
  grants: number
  rejects: Record<string, number>
  /** consumer leases that expired because renewals did not get through */
  renewalsLost: number
  renewals: number
}

export class Peering {
  readonly offers: Offers
  readonly protocol: PeeringProtocol
  readonly stats: PeeringStats = { grants: 0, rejects: {}, renewalsLost: 0, renewals: 0 }
  private readonly init: Required<Omit<PeeringInit, 'minGrant' | 'offers' | 'maxSkewMs'>> & { minGrant: Resources }
  private readonly c: PeeringComponents
  private readonly log: ComponentLogger
  private readonly ledger: LeaseLedger
  private readonly timers = new Map<string, { clear(): void }>()
  private readonly pendingTenants = new Map<string, Promise<void>>()
  private readonly known = new Map<string, KnownOffer>()
  private readonly changeListeners = new Set<(lease: StoredLease) => void>()
  private heldUsage?: (leaseId: string) => HeldUsage | undefined
  private readonly companions: Array<{ start(): void | Promise<void>, stop(): void | Promise<void> }> = []
  private shutdown = new AbortController()
  private started = false
  private readonly metricsHandles: { grants?: Counter, rejects?: Counter<'reason'>, leases?: Gauge<'role' | 'state'> } = {}

  constructor (init: PeeringInit, components: PeeringComponents) {
    this.c = components
    this.log = components.logger.forComponent('skein:peering')
    this.init = {
      leaseDurationMs: init.leaseDurationMs ?? 24 * 3_600_000,
      renewIntervalMs: init.renewIntervalMs ?? 30_000,
      graceMs: init.graceMs ?? 120_000,
      minGrant: init.minGrant ?? zero(),
      hopLimit: Math.min(init.hopLimit ?? DEFAULT_HOP_LIMIT, MAX_HOP_LIMIT),
      streamTimeoutMs: init.streamTimeoutMs ?? STREAM_TIMEOUT_MS,
      tenantTimeoutMs: init.tenantTimeoutMs ?? 8_000,
      requestTimeoutMs: init.requestTimeoutMs ?? 60_000,
      attempts: init.attempts ?? 3,
      reoffer: init.reoffer ?? false
    }
    this.ledger = new LeaseLedger(components.store)
    this.ledger.onChange = (lease) => {
      this.emitChange(lease)
      if (lease.role === 'consumer' && isTerminal(lease.state)) this.releaseDependents(lease)
    }
    this.offers = new Offers(init.offers ?? {}, {
      capacity: components.capacity,
      clock: components.clock,
      logger: components.logger,
      labels: (p) => components.membership.labels?.(p),
      // our own pool backs only the own part of each grant; re-offered parts are backed by leases we hold
      granted: () => this.ledger.ownGranted(),
      grantedTo: (p) => this.ledger.granted(p)
    })
    this.protocol = peeringProtocol(init.maxSkewMs != null ? { maxSkewMs: init.maxSkewMs } : {})({
      privateKey: components.privateKey, peerId: components.peerId, clock: components.clock
    })
    if (components.metrics != null) this.registerMetrics(components.metrics)
  }

  get peerId (): string { return this.c.peerId }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    this.shutdown = new AbortController()
    const now = this.c.clock.now()
    for (const lease of this.ledger.load()) this.resume(lease, now)
    this.offers.start()
    if (this.c.network != null) {
      await this.c.network.handle(PROTOCOL, (stream, connection) => this.onStream(stream, connection), { maxInboundStreams: MAX_INBOUND_STREAMS, force: true })
    }
    for (const c of this.companions) await c.start()
  }

  /** Something that runs on top of peering (auto-peering): started after it, stopped before it. */
  addCompanion (c: { start(): void | Promise<void>, stop(): void | Promise<void> }): void {
    this.companions.push(c)
  }

  async stop (): Promise<void> {
    if (!this.started) return
    for (const c of [...this.companions].reverse()) {
      try { await c.stop() } catch (err) { this.log.warn({ err }, 'peering companion failed to stop') }
    }
    this.started = false
    this.shutdown.abort(new PeeringError('peering stopped'))
    for (const t of this.timers.values()) t.clear()
    this.timers.clear()
    this.offers.stop()
    if (this.c.network != null) {
      try { await this.c.network.unhandle(PROTOCOL) } catch (err) { this.log.debug({ err }, 'unhandle failed') }
    }
  }

  // ---------------------------------------------------------------- reads

  list (filter: { role?: LeaseRole, state?: LeaseState } = {}): StoredLease[] {
    return this.ledger.all()
      .filter((l) => (filter.role == null || l.role === filter.role) && (filter.state == null || l.state === filter.state))
      .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id))
  }

  get (id: string): StoredLease | undefined {
    const [first] = this.ledger.byId(id)
    return first
  }

  /** The peers of every lease not yet ended, either role (requested, active or grace). */
  counterparties (): Set<string> {
    const out = new Set<string>()
    for (const l of this.ledger.all()) {
      if (l.state === 'expired' || l.state === 'released') continue
      out.add(l.role === 'consumer' ? l.provider : l.consumer)
    }
    return out
  }

  /** Leases we hold as consumer that can take work now (active or grace): what delegation places under. */
  held (): StoredLease[] {
    return this.ledger.all().filter((l) => l.role === 'consumer' && isHolding(l.state))
  }

  /**
   * Called after every committed change of a lease (grant, renewal, state
   * change), after the store has it, on a later microtask; for tunnels and
   * delegation. Returns an unsubscribe function.
   */
  onLeaseChange (cb: (lease: StoredLease) => void): () => void {
    this.changeListeners.add(cb)
    return () => { this.changeListeners.delete(cb) }
  }

  private emitChange (lease: StoredLease): void {
    if (this.changeListeners.size === 0) return
    // after the current step, never from inside it: listeners see committed state and cannot re-enter a grant
    queueMicrotask(() => {
      for (const cb of this.changeListeners) {
        try { cb(lease) } catch (err) { this.log.error({ err, leaseId: lease.id }, 'lease listener failed') }
      }
    })
  }

  /** Sum of quotas granted (active + grace) as provider. */
  granted (): Resources { return this.ledger.granted() }

  offerView (): OfferView {
    const v = this.offers.view()
    if (!this.init.reoffer) return v
    // with the waterfall, the pool also holds what the leases we hold can lend (their quota minus our own use of them)
    const held = this.heldCapacity()
    const usage = held.map((h) => this.heldUsage?.(h.leaseId)?.own ?? zero())
    const pool = add(v.pool, sum(held.map((h, i) => sub(h.quota, usage[i] ?? zero()))))
    const granted = this.ledger.granted()
    return { ...v, pool, granted, remaining: sub(pool, granted) }
  }

  // ---------------------------------------------------------------- the waterfall

  /**
   * Tells peering what delegation uses of each lease we hold (own workloads,
   * and workloads re-delegated for others), so re-offers never count it
   * twice. Synchronous: it is read inside the grant decision.
   */
  setHeldUsage (fn: (leaseId: string) => HeldUsage | undefined): void {
    this.heldUsage = fn
  }

  /** Whether this agent re-offers held capacity (policy peering.reoffer). */
  get reoffers (): boolean { return this.init.reoffer }

  /** The hop limit this agent puts on what it sends, and the most it accepts. */
  get hopLimit (): number { return this.init.hopLimit }

  /** Leases we hold as consumer, as capacity: quota, what is spoken for, and the path it came along. */
  heldCapacity (): HeldLease[] {
    return heldCapacity(this.held(), this.ledger.reoffered(), (id) => this.heldUsage?.(id), (provider) => this.capacityPath(provider))
  }

  /** What of a held lease our own workloads may still use: its quota minus everything spoken for. */
  heldLeft (leaseId: string): Resources | undefined {
    const h = this.heldCapacity().find((x) => x.leaseId === leaseId)
    return h != null ? leftOf(h) : undefined
  }

  /** The capacity path of a provider: where its offer to us came from, ending with it (a direct provider: just it). */
  private capacityPath (provider: string): string[] {
    const k = this.known.get(provider)?.path
    return k != null && k.length > 0 && k[k.length - 1] === provider && !k.includes(this.c.peerId) ? [...k] : [provider]
  }

  /** A held lease ended: the grants it backed can no longer be backed, so they end too (no overcommit). */
  private releaseDependents (held: StoredLease): void {
    if (!this.init.reoffer) return
    for (const l of this.ledger.all()) {
      if (l.role !== 'provider' || !isHolding(l.state) || l.backing?.via.some((v) => v.leaseId === held.id) !== true) continue
      queueMicrotask(() => {
        this.log.info({ leaseId: l.id, backedBy: held.id }, 'a lease backing this grant ended: releasing it')
        this.release(l.id).catch((err: Error) => { this.log.warn({ leaseId: l.id, err: err.message }, 'releasing a grant whose backing ended failed') })
      })
    }
  }

  /** The held leases usable for `to` along `requestPath`, or none when we do not re-offer. */
  private transitiveParts (to: string, requestPath: readonly string[], hopLimit: number): HeldLease[] {
    if (!this.init.reoffer) return []
    return eligibleFor(this.heldCapacity(), this.c.peerId, to, requestPath, hopLimit)
  }

  /** Offers peers made to us, as last heard (offer queries, announcements). */
  knownOffers (): KnownOffer[] {
    return [...this.known.values()].sort((a, b) => a.peer.localeCompare(b.peer))
  }

  /**
   * Records an offer heard elsewhere (discovery announcements). Announcements
   * carry no path: the path last learnt from an offer query is kept, so split
   * horizon still knows where that peer's capacity came from.
   */
  noteOffer (peer: string, resources: Resources, path?: string[]): void {
    if (peer === this.c.peerId) return
    this.known.set(peer, { peer, resources, path: path ?? this.known.get(peer)?.path ?? [peer], at: this.c.clock.now() })
  }

  // ---------------------------------------------------------------- consumer

  /** Asks `peer` for its current offer to us. */
  async queryOffer (peer: string, opts: { signal?: AbortSignal } = {}): Promise<KnownOffer> {
    const answer = await this.exchange(peer, { offerQuery: {} }, opts.signal)
    if (answer.kind === 'reject' && answer.body.reject != null) throw errorForReject(answer.body.reject.reason, answer.body.reject.detail)
    const offer = answer.body.offer
    if (answer.kind !== 'offer' || offer == null) throw new MalformedFrameError(`expected an offer, got ${answer.kind}`)
    if (offer.provider !== peer) throw new MalformedFrameError('offer names another provider')
    if (offer.path.includes(this.c.peerId) || offer.path[offer.path.length - 1] !== peer) {
      // split horizon broken by the other side: capacity that came through us is not taken back
      this.countReject(RejectReason.LOOP)
      throw new LoopDetectedError('the offer came through this agent')
    }
    const k = { peer, resources: fromWire(offer.resources, 'offer'), path: offer.path, at: this.c.clock.now() }
    this.known.set(peer, k)
    return k
  }

  /** Requests a lease on `peer`. Resolves with the active lease, or throws the peer's reject as a typed error. */
  async request (peer: string, quota: Resources, opts: RequestOptions = {}): Promise<StoredLease> {
    this.assertStarted()
    if (peer === this.c.peerId) throw new InvalidQuantityError('an agent cannot peer with itself')
    try { peerIdFromString(peer) } catch { throw new MalformedFrameError(`"${peer}" is not a peer id`) }
    if (!this.c.membership.isMember(peer)) throw new NotMemberError(`${peer} is not a fleet member`)
    const ask = validateResources(quota, 'quota')
    const min = opts.min != null ? validateResources(opts.min, 'min') : zero()
    const durationMs = opts.durationMs ?? this.init.leaseDurationMs
    if (!Number.isSafeInteger(durationMs) || durationMs <= 0 || durationMs > MAX_LEASE_MS) throw new InvalidQuantityError(`duration ${durationMs} ms is out of range`)
    const path = opts.path ?? [this.c.peerId]
    const hopLimit = opts.hopLimit ?? this.init.hopLimit
    const id = opts.leaseId ?? randomUUID()
    if (!LEASE_ID_PATTERN.test(id)) throw new MalformedFrameError('lease id must be 1-64 characters of [A-Za-z0-9_-]')

    let lease = this.ledger.get('consumer', id)
    if (lease != null && lease.provider !== peer) throw new DuplicateLeaseError(`lease id ${id} is taken (asked of another provider)`)
    if (lease != null && lease.state !== 'requested') {
      if (isHolding(lease.state) && lease.provider === peer) return lease
      throw new DuplicateLeaseError(`lease ${id} exists already (${lease.state})`)
    }
    if (lease == null) {
      const now = this.c.clock.now()
      lease = {
        id, role: 'consumer', consumer: this.c.peerId, provider: peer, quota: ask, ask, created: now,
        expires: now + durationMs, renewBy: now + this.init.requestTimeoutMs, graceMs: this.init.graceMs, state: 'requested', path
      }
      this.ledger.insert(lease)
      this.schedule(lease)
    }
    const request: PeeringRequest = { leaseId: id, quota: toWire(ask), min: toWire(min), durationMs, path, hopLimit }
    // no answer throws: the lease stays `requested` until requestTimeoutMs, and the same id may be retried
    const answer = await this.exchangeWithRetry(peer, { request }, opts.signal)
    const current = this.ledger.get('consumer', id)
    if (current == null || current.state !== 'requested') throw new LeaseExpiredError(`lease ${id} ended while waiting for the answer`)
    if (answer.kind === 'grant' && answer.body.grant != null) {
      const g = answer.body.grant
      const granted = fromWire(g.quota, 'grant')
      if (g.leaseId !== id || g.provider !== peer || g.consumer !== this.c.peerId || !fits(granted, ask)) {
        throw new MalformedFrameError('the grant does not match the request')
      }
      const next: StoredLease = { ...current, quota: granted, created: g.created, expires: g.expires, renewBy: g.renewBy, graceMs: g.graceMs, state: transition(current.state, 'grant') }
      this.ledger.update(next, current.state, 'grant')
      this.schedule(next)
      this.log.info({ leaseId: id, provider: peer, quota: describeResources(granted), counter: g.counter }, 'lease granted')
      return next
    }
    const reject = answer.body.reject
    if (answer.kind === 'reject' && reject != null) {
      const next: StoredLease = { ...current, state: transition(current.state, 'reject'), reason: reject.reason }
      this.ledger.update(next, current.state, 'reject')
      this.clearTimer(next)
      throw errorForReject(reject.reason, reject.detail)
    }
    throw new MalformedFrameError(`expected a grant or a reject, got ${answer.kind}`)
  }

  /** Consumer: moves the end of a held lease's term to now + extendMs (a renewal that also extends). */
  async extend (id: string, extendMs: number, opts: { signal?: AbortSignal } = {}): Promise<StoredLease> {
    const lease = this.ledger.get('consumer', id)
    if (lease == null) throw new UnknownLeaseError(`we hold no lease ${id}`)
    if (!isHolding(lease.state)) throw new LeaseExpiredError(`lease ${id} is ${lease.state}`)
    if (!Number.isSafeInteger(extendMs) || extendMs <= 0 || extendMs > MAX_LEASE_MS) throw new InvalidQuantityError(`extension ${extendMs} ms is out of range`)
    const answer = await this.exchangeWithRetry(lease.provider, { renew: { leaseId: id, extendMs } }, opts.signal)
    if (answer.kind === 'reject' && answer.body.reject != null) throw errorForReject(answer.body.reject.reason, answer.body.reject.detail)
    const ack = answer.body.renewAck
    if (answer.kind !== 'renewAck' || ack == null) throw new MalformedFrameError(`expected a renewal ack, got ${answer.kind}`)
    const current = this.ledger.get('consumer', id) ?? lease
    const next: StoredLease = { ...current, state: canTransition(current.state, 'renew') ? transition(current.state, 'renew') : current.state, renewBy: ack.renewBy, expires: ack.expires }
    this.ledger.update(next, current.state, 'renew')
    this.schedule(next)
    return next
  }

  /** Releases a lease from either side; tells the other side when it can (best effort). */
  async release (id: string, opts: { signal?: AbortSignal } = {}): Promise<StoredLease & { notified: boolean }> {
    const lease = this.ledger.byId(id).find((l) => !isTerminal(l.state)) ?? this.ledger.byId(id)[0]
    if (lease == null) throw new UnknownLeaseError(`no lease ${id}`)
    if (lease.state === 'expired') throw new LeaseExpiredError(`lease ${id} has expired already`)
    const wasLive = lease.state !== 'released'
    const released = this.applyEvent(lease, 'release', 'released by this agent')
    if (!wasLive) return { ...released, notified: false }
    if (lease.role === 'provider') await this.removeTenant(released)
    const other = lease.role === 'provider' ? lease.consumer : lease.provider
    let notified = false
    try {
      const answer = await this.exchange(other, { release: { leaseId: id } }, opts.signal)
      notified = answer.kind === 'releaseAck'
    } catch (err) {
      this.log.info({ leaseId: id, peer: other, err: (err as Error).message }, 'could not tell the other side of the release; it will lapse there')
    }
    return { ...released, notified }
  }

  // ---------------------------------------------------------------- provider: inbound

  private async onStream (stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    const signal = AbortSignal.any([AbortSignal.timeout(this.init.streamTimeoutMs), this.shutdown.signal])
    const onAbort = (): void => { stream.abort(new PeeringError('peering stream deadline')) }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      const pb = pbStream(stream, { maxDataLength: MAX_FRAME_BYTES + 256 }).pb(PeeringFrame)
      let frame: PeeringFrame
      try {
        frame = await pb.read({ signal })
      } catch (err) {
        if (signal.aborted) throw err
        this.countReject(RejectReason.MALFORMED)
        this.log.debug({ peer: remote, err: (err as Error).message }, 'unreadable peering frame')
        await pb.write(await this.protocol.rejectFrame(remote, new MalformedFrameError('unreadable frame')), { signal })
        await stream.close({ signal })
        return
      }
      let answer: PeeringFrame
      if (!this.c.membership.isMember(remote)) {
        this.countReject(RejectReason.NOT_MEMBER)
        answer = await this.protocol.rejectFrame(remote, new NotMemberError('not a fleet member'))
      } else {
        answer = await this.protocol.handleFrame(frame, remote, async (opened, from) => await this.dispatch(opened, from),
          (reason, err, from) => {
            this.countReject(reason)
            if (reason === RejectReason.INTERNAL) this.log.error({ err, peer: from }, 'peering request failed')
            else this.log.debug({ peer: from, reason }, 'peering frame refused')
          })
      }
      await pb.write(answer, { signal })
      await stream.close({ signal })
    } catch (err) {
      this.log.debug({ peer: remote, err: (err as Error).message }, 'peering stream failed')
      stream.abort(err as Error)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async dispatch (opened: Opened, from: string): Promise<BodyMessage> {
    const b = opened.body
    switch (opened.kind) {
      case 'offerQuery':
        return { offer: this.offerTo(from) }
      case 'request':
        if (b.request == null) break
        return await this.onRequest(from, b.request)
      case 'renew':
        if (b.renew == null) break
        return this.onRenew(from, b.renew.leaseId, b.renew.extendMs)
      case 'release':
        if (b.release == null) break
        return await this.onRelease(from, b.release.leaseId)
      default:
        break
    }
    throw new MalformedFrameError(`unexpected ${opened.kind}`)
  }

  /** Our offer to one peer: our own share, plus (waterfall) what held leases may lend it, with the path it came along. */
  private offerTo (from: string): NonNullable<BodyMessage['offer']> {
    const own = this.offers.offerFor(from)
    const parts = this.offers.allowed(from) ? this.transitiveParts(from, [from], this.init.hopLimit) : []
    let resources = add(own, lendable(parts))
    const cap = this.offers.peerCap(from)
    if (cap != null && parts.length > 0) resources = rmin(resources, sub(cap, this.ledger.granted(from)))
    return { provider: this.c.peerId, resources: toWire(resources), seq: this.offers.announcements, path: offerPath(this.c.peerId, parts), hopLimit: this.init.hopLimit }
  }

  private async onRequest (from: string, req: PeeringRequest): Promise<BodyMessage> {
    const path = checkPath({ path: req.path, hopLimit: Math.min(req.hopLimit, this.init.hopLimit), receiver: this.c.peerId, sender: from })
    const ask = fromWire(req.quota, 'quota')
    const min = fromWire(req.min, 'min')
    const existing = this.ledger.get('provider', req.leaseId)
    if (existing != null) {
      // the consumer lost our answer (or we crashed before sending it): the same request gets the same grant
      if (existing.consumer === from && isHolding(existing.state) && existing.ask != null && equal(existing.ask, ask)) {
        await this.ensureTenant(existing)
        return { grant: this.grantMessage(existing) }
      }
      throw new DuplicateLeaseError(`lease id ${req.leaseId} is taken`)
    }
    if (!this.offers.share) throw new NotSharingError('this agent does not share')
    if (!this.offers.allowed(from)) throw new PolicyDeniedError('sharing policy excludes this peer')

    // check and insert in one synchronous step: no await in between, so no other request can interleave
    const now = this.c.clock.now()
    const peerCap = this.offers.peerCap(from)
    // the waterfall: leases we hold may back the grant too, unless split horizon or the hop limit forbids
    const parts = this.transitiveParts(from, req.path, Math.min(req.hopLimit, this.init.hopLimit))
    const pool = this.offers.pool()
    const ownGranted = this.ledger.ownGranted()
    const d = decide({
      ask, min, offered: add(pool, lendable(parts)), granted: rmin(ownGranted, pool), minGrant: this.init.minGrant,
      ...(peerCap != null ? { peerCap, peerHeld: this.ledger.granted(from) } : {})
    })
    if (!d.ok) throw d.error
    const backing = parts.length > 0 ? backGrant(d.quota, sub(pool, ownGranted), parts) : undefined
    if (parts.length > 0 && backing == null) throw new InsufficientCapacityError('the leases this agent holds cannot back the grant')
    const via = backing?.via ?? []
    // a grant backed by a lease we hold ends no later than that lease
    const expires = Math.min(now + req.durationMs, ...via.map((v) => this.ledger.get('consumer', v.leaseId)?.expires ?? Infinity))
    const lease: StoredLease = {
      id: req.leaseId, role: 'provider', consumer: from, provider: this.c.peerId, quota: d.quota, ask,
      created: now, expires, renewBy: now + this.init.renewIntervalMs, graceMs: this.init.graceMs,
      state: 'active', path, ...(via.length > 0 && backing != null ? { backing } : {})
    }
    this.ledger.insert(lease, 'grant')
    this.stats.grants++
    this.metricsHandles.grants?.inc()
    this.schedule(lease)
    this.offers.refresh()
    this.log.info({ leaseId: lease.id, consumer: from, quota: describeResources(d.quota), counter: d.counter, via: via.map((v) => v.leaseId) }, 'lease granted')
    try {
      await this.ensureTenant(lease)
    } catch (err) {
      // stopping is not failing: the lease stays, and start() ensures the namespace again
      if (this.shutdown.signal.aborted) throw new PeerUnreachableError('peering stopped')
      const current = this.ledger.get('provider', lease.id)
      if (current != null && !isTerminal(current.state)) this.applyEvent(current, 'release', 'tenant namespace failed')
      this.offers.refresh()
      this.log.warn({ leaseId: lease.id, err: (err as Error).message }, 'tenant namespace failed; grant withdrawn')
      throw new TenantFailedError('could not make the tenant namespace')
    }
    return { grant: this.grantMessage(this.ledger.get('provider', lease.id) ?? lease) }
  }

  private onRenew (from: string, leaseId: string, extendMs: number): BodyMessage {
    const lease = this.ledger.get('provider', leaseId)
    if (lease == null) throw new UnknownLeaseError(`no lease ${leaseId}`)
    if (lease.consumer !== from) throw new NotLeasePartyError('only the consumer renews a lease')
    const now = this.c.clock.now()
    this.applyTime(lease, now)
    const current = this.ledger.get('provider', leaseId) ?? lease
    if (isTerminal(current.state)) throw new LeaseExpiredError(`lease ${leaseId} is ${current.state}`)
    const next: StoredLease = {
      ...current,
      state: transition(current.state, 'renew'),
      renewBy: now + this.init.renewIntervalMs,
      // a grant backed by leases we hold is never extended past them
      expires: extendMs > 0 ? Math.min(now + extendMs, ...(current.backing?.via ?? []).map((v) => this.ledger.get('consumer', v.leaseId)?.expires ?? current.expires)) : current.expires
    }
    if (next.state === current.state && next.expires === current.expires) this.ledger.touch(next)
    else this.ledger.update(next, current.state, 'renew')
    this.schedule(next)
    return { renewAck: { leaseId, expires: next.expires, renewBy: next.renewBy } }
  }

  private async onRelease (from: string, leaseId: string): Promise<BodyMessage> {
    const mine = this.ledger.byId(leaseId)
    if (mine.length === 0) throw new UnknownLeaseError(`no lease ${leaseId}`)
    const lease = mine.find((l) => (l.role === 'provider' && l.consumer === from) || (l.role === 'consumer' && l.provider === from))
    if (lease == null) throw new NotLeasePartyError('only the two ends of a lease release it')
    if (lease.state === 'expired' || lease.state === 'released') return { releaseAck: { leaseId } }
    const released = this.applyEvent(lease, 'release', `released by ${lease.role === 'provider' ? 'consumer' : 'provider'}`)
    if (lease.role === 'provider') {
      await this.removeTenant(released)
      this.offers.refresh()
    }
    return { releaseAck: { leaseId } }
  }

  private grantMessage (l: StoredLease): NonNullable<BodyMessage['grant']> {
    return {
      leaseId: l.id, consumer: l.consumer, provider: l.provider, quota: toWire(l.quota),
      counter: l.ask != null && !equal(l.ask, l.quota), created: l.created, expires: l.expires, renewBy: l.renewBy, graceMs: l.graceMs
    }
  }

  // ---------------------------------------------------------------- time

  /** After a (re)load: catch up with time, re-ensure what we host, and set timers. */
  private resume (lease: StoredLease, now: number): void {
    if (isTerminal(lease.state)) return
    if (lease.role === 'provider') {
      // heartbeats are not written to disk, so the stored renewBy may be old: a restart gives a fresh renewal window
      // (the consumers could not renew while we were down either, so grace starts afresh too)
      if (isHolding(lease.state)) this.ledger.touch(lease = { ...lease, renewBy: Math.max(lease.renewBy, now + (lease.state === 'active' ? this.init.renewIntervalMs : 0)) })
      this.applyTime(lease, now)
      const current = this.ledger.get('provider', lease.id) ?? lease
      if (isHolding(current.state)) {
        this.ensureTenant(current).catch((err: Error) => { this.log.warn({ leaseId: lease.id, err: err.message }, 'tenant namespace not restored') })
      }
      return
    }
    this.schedule(lease)
  }

  private schedule (lease: StoredLease): void {
    this.clearTimer(lease)
    if (!this.started || isTerminal(lease.state)) return
    const now = this.c.clock.now()
    let at: number | undefined
    if (lease.role === 'provider') {
      at = nextDeadline(lease)
    } else if (lease.state === 'requested') {
      at = lease.renewBy // for a requested lease, renewBy holds the give-up time
    } else {
      const margin = Math.min(this.init.renewIntervalMs / 4, 5_000)
      at = Math.min(lease.renewBy - margin, nextDeadline(lease) ?? Infinity)
    }
    if (at == null || !Number.isFinite(at)) return
    const k = `${lease.role}:${lease.id}`
    const timer = this.c.clock.setTimeout(() => {
      this.timers.delete(k)
      this.onTimer(lease.role, lease.id).catch((err: Error) => { this.log.error({ err, leaseId: lease.id }, 'lease timer failed') })
    }, Math.max(0, at - now))
    this.timers.set(k, timer)
  }

  private clearTimer (lease: Pick<Lease, 'role' | 'id'>): void {
    const k = `${lease.role}:${lease.id}`
    this.timers.get(k)?.clear()
    this.timers.delete(k)
  }

  private async onTimer (role: LeaseRole, id: string): Promise<void> {
    if (!this.started) return
    const lease = this.ledger.get(role, id)
    if (lease == null || isTerminal(lease.state)) return
    const now = this.c.clock.now()
    if (role === 'provider') {
      this.applyTime(lease, now)
      return
    }
    if (lease.state === 'requested') {
      if (now >= lease.renewBy) this.applyEvent(lease, 'timeout', 'no answer from the provider')
      else this.schedule(lease)
      return
    }
    if (now >= lease.expires) {
      this.applyTime(lease, now)
      return
    }
    await this.renew(lease)
  }

  /** Consumer: one renewal; on failure the lease may slide into grace or expire. */
  private async renew (lease: StoredLease): Promise<void> {
    try {
      const answer = await this.exchange(lease.provider, { renew: { leaseId: lease.id, extendMs: 0 } })
      const current = this.ledger.get('consumer', lease.id)
      if (current == null || isTerminal(current.state)) return
      if (answer.kind === 'renewAck' && answer.body.renewAck != null) {
        const ack = answer.body.renewAck
        const next: StoredLease = { ...current, state: transition(current.state, 'renew'), renewBy: ack.renewBy, expires: ack.expires }
        if (next.state === current.state && next.expires === current.expires) this.ledger.touch(next)
        else this.ledger.update(next, current.state, 'renew')
        this.stats.renewals++
        this.schedule(next)
        return
      }
      if (answer.kind === 'reject' && answer.body.reject != null) {
        const reason = answer.body.reject.reason
        if (reason === RejectReason.LEASE_EXPIRED || reason === RejectReason.UNKNOWN_LEASE || reason === RejectReason.NOT_LEASE_PARTY) {
          this.applyEvent(current, current.state === 'requested' ? 'timeout' : 'termEnd', `provider says ${reason}`)
          this.stats.renewalsLost++
          return
        }
      }
      this.retryLater(current)
    } catch (err) {
      const current = this.ledger.get('consumer', lease.id)
      if (current == null || isTerminal(current.state)) return
      this.log.debug({ leaseId: lease.id, err: (err as Error).message }, 'renewal did not get through')
      this.retryLater(current)
    }
  }

  private retryLater (lease: StoredLease): void {
    const now = this.c.clock.now()
    this.applyTime(lease, now)
    const current = this.ledger.get('consumer', lease.id) ?? lease
    if (isTerminal(current.state)) {
      if (current.reason === 'grace ran out') this.stats.renewalsLost++
      return
    }
    const retryMs = Math.max(50, Math.min(this.init.renewIntervalMs / 4, 5_000))
    const k = `consumer:${current.id}`
    this.clearTimer(current)
    const deadline = nextDeadline(current) ?? now + retryMs
    const timer = this.c.clock.setTimeout(() => {
      this.timers.delete(k)
      this.onTimer('consumer', current.id).catch((err: Error) => { this.log.error({ err, leaseId: current.id }, 'lease timer failed') })
    }, Math.max(0, Math.min(now + retryMs, deadline) - now))
    this.timers.set(k, timer)
  }

  /** Applies what time has made due, persists each step, and reacts to expiry. */
  private applyTime (lease: StoredLease, now: number): void {
    const work: StoredLease = { ...lease }
    const steps = advance(work, now)
    if (steps.length === 0) {
      if (lease.role === 'provider') this.schedule(lease)
      return
    }
    const last = steps[steps.length - 1]
    if (last == null) return
    if (isTerminal(work.state)) work.reason = last.event === 'termEnd' ? 'term ended' : 'grace ran out'
    this.ledger.update(work, lease.state, last.event)
    this.log.info({ leaseId: lease.id, role: lease.role, from: lease.state, to: work.state }, 'lease state changed')
    if (isTerminal(work.state)) {
      this.clearTimer(work)
      if (work.role === 'provider') {
        this.removeTenant(work).catch(() => {})
        this.offers.refresh()
      }
    } else {
      this.schedule(work)
    }
  }

  private applyEvent (lease: StoredLease, event: LeaseEvent, reason?: string): StoredLease {
    if (!canTransition(lease.state, event)) return lease
    const next: StoredLease = { ...lease, state: transition(lease.state, event) }
    if (reason != null && isTerminal(next.state)) next.reason = reason
    this.ledger.update(next, lease.state, event)
    if (isTerminal(next.state)) {
      this.clearTimer(next)
      if (next.role === 'provider') this.offers.refresh()
    } else {
      this.schedule(next)
    }
    return next
  }

  // ---------------------------------------------------------------- tenants

  private async ensureTenant (lease: StoredLease): Promise<void> {
    let p = this.pendingTenants.get(lease.id)
    if (p == null) {
      const signal = AbortSignal.any([AbortSignal.timeout(this.init.tenantTimeoutMs), this.shutdown.signal])
      p = raceSignal(this.c.tenants.ensure(lease), signal)
      this.pendingTenants.set(lease.id, p)
      p.then(() => { this.pendingTenants.delete(lease.id) }, () => { this.pendingTenants.delete(lease.id) })
    }
    await p
  }

  private async removeTenant (lease: StoredLease): Promise<void> {
    try {
      await raceSignal(this.c.tenants.remove(lease), AbortSignal.timeout(this.init.tenantTimeoutMs))
    } catch (err) {
      // TODO(issue 4): retry removal from a durable outbox once agent/kube has one
      this.log.warn({ leaseId: lease.id, err: (err as Error).message }, 'tenant namespace removal failed')
    }
  }

  // ---------------------------------------------------------------- wire

  private async exchangeWithRetry (peer: string, message: BodyMessage, signal?: AbortSignal): Promise<Opened> {
    let last: unknown
    for (let i = 0; i < this.init.attempts; i++) {
      try {
        return await this.exchange(peer, message, signal)
      } catch (err) {
        last = err
        if (err instanceof PeeringError && !(err instanceof PeerUnreachableError)) throw err
        if (signal?.aborted === true || this.shutdown.signal.aborted) break
        await sleep(Math.min(100 * 2 ** i, 2_000) * (0.5 + Math.random()), signal)
      }
    }
    throw last instanceof Error ? last : new PeerUnreachableError(`no answer from ${peer}`)
  }

  /** One request/response exchange on a fresh stream, within the stream deadline. */
  private async exchange (peer: string, message: BodyMessage, outer?: AbortSignal): Promise<Opened> {
    const network = this.c.network
    if (network == null) throw new PeerUnreachableError('peering has no network')
    const signals = [AbortSignal.timeout(this.init.streamTimeoutMs), this.shutdown.signal]
    if (outer != null) signals.push(outer)
    const signal = AbortSignal.any(signals)
    const frame = await this.protocol.seal(peer, message)
    let stream: Stream
    try {
      stream = await network.dialProtocol(peerIdFromString(peer), PROTOCOL, { signal })
    } catch (err) {
      throw new PeerUnreachableError(`cannot reach ${peer}: ${(err as Error).message}`)
    }
    let answer: PeeringFrame
    try {
      const pb = pbStream(stream, { maxDataLength: MAX_FRAME_BYTES + 256 }).pb(PeeringFrame)
      await pb.write(frame, { signal })
      answer = await pb.read({ signal })
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      stream.abort(err as Error)
      throw new PeerUnreachableError(`no answer from ${peer}: ${(err as Error).message}`)
    }
    const opened = await this.protocol.open(answer, peer)
    const sentId = (Object.values(message)[0] as { leaseId?: string } | undefined)?.leaseId ?? ''
    const gotId = leaseIdOf(opened)
    if (sentId !== '' && gotId !== '' && sentId !== gotId) throw new MalformedFrameError('answer is about another lease')
    return opened
  }

  // ---------------------------------------------------------------- metrics

  private countReject (reason: RejectReason): void {
    this.stats.rejects[reason] = (this.stats.rejects[reason] ?? 0) + 1
    this.metricsHandles.rejects?.inc({ reason })
  }

  private registerMetrics (metrics: Metrics): void {
    const registers = [metrics.registry]
    const existing = (name: string) => metrics.registry.getSingleMetric(name)
    this.metricsHandles.grants = (existing('skein_peering_grants_total') as Counter | undefined) ??
      new Counter({ name: 'skein_peering_grants_total', help: 'Leases granted by this agent as provider.', registers })
    this.metricsHandles.rejects = (existing('skein_peering_rejects_total') as Counter<'reason'> | undefined) ??
      new Counter({ name: 'skein_peering_rejects_total', help: 'Peering frames refused by this agent, by reason.', labelNames: ['reason'], registers })
    if (existing('skein_leases') == null) {
      const ledger = this.ledger
      this.metricsHandles.leases = new Gauge({
        name: 'skein_leases',
        help: 'Leases this agent holds, by role (provider, consumer) and state.',
        labelNames: ['role', 'state'],
        registers,
        collect () {
          this.reset()
          for (const l of ledger.all()) this.inc({ role: l.role, state: l.state })
        }
      })
    }
  }

  private assertStarted (): void {
    if (!this.started) throw new PeeringError('peering is not started')
  }
}

async function raceSignal<T> (p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason as Error
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason as Error) }
    signal.addEventListener('abort', onAbort, { once: true })
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v) },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error) })
  })
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms)
    function done (): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve() }
    signal?.addEventListener('abort', done, { once: true })
  })
}

export function createPeering (init: PeeringInit = {}): (components: PeeringComponents) => Peering {
  return (components) => new Peering(init, components)
}
