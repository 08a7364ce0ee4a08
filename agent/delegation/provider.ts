/**
 * The provider side of delegation: answers Delegate, Cancel and Resync, and
 * streams status back to subscribed consumers.
 *
 * A Delegate is checked (membership, signature, path, lease, quota,
 * manifests), decided by (workload id, generation) — the same generation gets
 * the same answer — and written to the store before the Ack leaves. The apply
 * runs after the answer, through the workloads backend, and its progress is
 * reported as Status. What was accepted keeps running while the consumer is
 * away; it is removed by a Cancel, reclaimed when its lease ends, and given up
 * (RELINQUISHED, the consumer places it again) when the cluster cannot run it.
 */
import type { Stream } from '@libp2p/interface'
import { Counter, Gauge } from 'prom-client'
import { fits, sub, sum, zero } from '../../protocol/peering/resources.ts'
import {
  decideDelegate, decideCancel, openDelegate, validateCancel, parseManifests, requestsOf, reasonFor, serveRequest,
  readSubscribe, writeStatusFrames, StatusQueue, InsufficientQuotaError, LeaseExpiredError, NoLeaseError,
  NotLeasePartyError, NotMemberError, FencedError, MalformedMessageError, InvalidManifestError, DelegationError, MAX_ERROR_CHARS,
  MAX_RESYNC_WORKLOADS, STATUS_KEEPALIVE_MS
} from '../../protocol/delegation/index.ts'
import { Phase, type DelegateRequest, type DelegateResponse, type Status, type Cancel, type Delegate } from '../../protocol/pb/delegate.js'
import type { DelegationComponents, BackendStatus } from './types.ts'
import type { DelegationStore, HostedRecord } from './records.ts'

export interface ProviderInit {
  /** how long pods may fail before the workload is given up, ms; default 60 000 */
  giveUpAfterMs: number
  /** how often leases are checked for expiry, ms; default 5000 */
  reclaimCheckMs: number
  /** fences kept per consumer for workloads never held here; beyond it the oldest are forgotten */
  maxTombstones: number
  /** keepalive of idle status streams, ms */
  keepaliveMs?: number
  /** tenant namespace of a consumer */
  tenantNamespace: (consumer: string, leaseId: string) => string
  /** a test hook between the durable write and the answer */
  afterWrite?: (h: HostedRecord) => Promise<void> | void
}

export class Provider {
  private readonly c: DelegationComponents
  private readonly db: DelegationStore
  private readonly init: ProviderInit
  private readonly log
  private readonly watches = new Map<string, () => void>()
  private readonly subscribers = new Map<string, Set<StatusQueue>>()
  private readonly applying = new Map<string, Promise<void>>()
  private timer?: { clear(): void }
  private keepalive?: { clear(): void }
  private stopped = false
  private readonly answered?: Counter
  private readonly hostedGauge?: Gauge

  constructor (c: DelegationComponents, db: DelegationStore, init: ProviderInit) {
    this.c = c
    this.db = db
    this.init = init
    this.log = c.logger
    if (c.metrics != null) {
      const registers = [c.metrics.registry]
      this.answered = new Counter({ name: 'skein_delegation_provider_answers_total', help: 'Delegate requests answered, by outcome (unreadable: dropped without an answer)', labelNames: ['outcome'], registers })
      this.hostedGauge = new Gauge({ name: 'skein_delegation_hosted_workloads', help: 'Workloads this agent runs for consumers', registers, collect: () => { this.hostedGauge?.set(this.db.peekHosted().filter(isActive).length) } })
    }
  }

  /** Reloads what we host and resumes applying and watching it. */
  start (): void {
    this.stopped = false
    for (const h of this.db.hosted()) {
      if (!isActive(h)) continue
      this.startApply(h)
    }
    this.timer = this.c.clock.setInterval(() => { this.reclaim() }, this.init.reclaimCheckMs)
    this.keepalive = this.c.clock.setInterval(() => { this.sendKeepalives() }, this.init.keepaliveMs ?? STATUS_KEEPALIVE_MS)
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.timer?.clear()
    this.keepalive?.clear()
    for (const stop of this.watches.values()) stop()
    this.watches.clear()
    for (const set of this.subscribers.values()) for (const q of set) q.close()
    this.subscribers.clear()
    await Promise.allSettled([...this.applying.values()])
  }

  // --- request-response

  async onRequestStream (stream: Stream, remotePeer: string): Promise<void> {
    let read = false
    try {
      await serveRequest(stream, async (req) => { read = true; return await this.handle(req, remotePeer) })
    } catch (err) {
      // a frame that could not be read (over the size cap, truncated, undecodable) gets no answer: the stream is reset, and counted here
      if (!read) this.answered?.inc({ outcome: 'unreadable' })
      throw err
    }
  }

  async handle (req: DelegateRequest, remotePeer: string): Promise<DelegateResponse> {
    if (req.delegate != null) return await this.handleDelegate(req.delegate, remotePeer)
    if (req.cancel != null) return this.handleCancel(req.cancel, remotePeer)
    if (req.resync != null) return this.handleResync(remotePeer)
    const reason = reasonFor(new MalformedMessageError(''))
    this.answered?.inc({ outcome: reason })
    return { reject: { workloadId: '', generation: 0, reason, detail: 'the request carries no message' } }
  }

  async handleDelegate (d: Delegate, remotePeer: string): Promise<DelegateResponse> {
    let workloadId = ''
    let generation = 0
    try {
      this.checkMember(remotePeer)
      const body = await openDelegate(d, { receiver: this.c.peerId, remotePeer, now: this.c.clock.now() })
      workloadId = body.workloadId
      generation = body.generation
      const held = this.db.getHosted(remotePeer, body.workloadId)
      const decision = decideDelegate(held, body.generation)
      if (decision.action === 'fenced') throw new FencedError(decision.detail)
      if (decision.action === 'repeat' && held != null) {
        // the same generation again (a retry after a lost Ack): the same answer, nothing applied twice
        this.answered?.inc({ outcome: 'repeat' })
        const key = `${remotePeer}/${workloadId}`
        if (isActive(held) && !this.watches.has(key) && !this.applying.has(key)) this.startApply(held)
        return { ack: { workloadId, generation, acceptedAt: held.acceptedAt } }
      }
      const lease = this.c.leases.get(body.leaseId)
      if (lease == null) throw new NoLeaseError(`no lease ${body.leaseId}`)
      if (lease.provider !== this.c.peerId || lease.consumer !== remotePeer) throw new NotLeasePartyError(`lease ${body.leaseId} is not between us`)
      if ((lease.state !== 'active' && lease.state !== 'grace') || lease.expires <= this.c.clock.now()) throw new LeaseExpiredError(`lease ${body.leaseId} is ${lease.state}`)
      const text = new TextDecoder().decode(body.manifests)
      const docs = parseManifests(text)
      const tenantNs = this.init.tenantNamespace(body.consumer, body.leaseId)
      try {
        this.c.checkManifests?.(tenantNs, docs)
      } catch (err) {
        // the tenant policy would refuse it at apply: refuse it now, before anything is stored or acknowledged
        const { field, index } = err as { field?: unknown, index?: unknown }
        const message = (err as Error).message
        if (typeof field !== 'string') throw new InvalidManifestError('manifests', `refused by this cluster's tenant policy: ${message}`)
        const why = message.slice(message.indexOf(`${field}: `) + field.length + 2)
        throw new InvalidManifestError(`${typeof index === 'number' ? `[${index}]` : ''}${field}`, `refused by this cluster's tenant policy: ${why}`)
      }
      const requests = requestsOf(docs)
      const used = sum(this.db.peekHosted(remotePeer).filter((h) => isActive(h) && h.leaseId === body.leaseId && h.workloadId !== body.workloadId).map((h) => h.requests))
      const left = sub(lease.quota, used)
      if (!fits(requests, left)) throw new InsufficientQuotaError('the workload needs more than is left of the lease')
      const now = this.c.clock.now()
      const h: HostedRecord = {
        consumer: remotePeer,
        workloadId,
        name: body.name,
        generation,
        fence: held?.fence ?? 0,
        leaseId: body.leaseId,
        manifests: text,
        requests,
        path: body.path,
        hopLimit: body.hopLimit,
        tenantNs,
        acceptedAt: now,
        phase: Phase.ACCEPTED,
        readyReplicas: 0,
        replicas: 0,
        podIps: [],
        lastError: '',
        observedGeneration: held?.observedGeneration ?? 0,
        sequence: (held?.sequence ?? 0) + 1
      }
      // durable before the answer: a crash after this line and a retry get the same Ack
      this.db.transaction(() => {
        this.db.putHosted(h, now)
        this.c.store.append('delegation.hosted', `${remotePeer}/${workloadId}`, { generation, leaseId: h.leaseId, action: decision.action })
      })
      await this.init.afterWrite?.(h)
      this.log.info({ consumer: remotePeer, workloadId, generation, leaseId: h.leaseId, action: decision.action }, 'accepted a delegated workload')
      this.answered?.inc({ outcome: 'ack' })
      this.startApply(h)
      this.publish(h)
      return { ack: { workloadId, generation, acceptedAt: now } }
    } catch (err) {
      const reason = reasonFor(err)
      const detail = err instanceof DelegationError ? err.message.slice(0, MAX_ERROR_CHARS) : 'internal error'
      if (!(err instanceof DelegationError)) this.log.error({ err, consumer: remotePeer, workloadId }, 'a Delegate failed')
      else this.log.info({ consumer: remotePeer, workloadId, generation, reason }, 'refused a Delegate')
      this.answered?.inc({ outcome: reason })
      return { reject: { workloadId, generation, reason, detail } }
    }
  }

  handleCancel (cancel: Cancel, remotePeer: string): DelegateResponse {
    try {
      this.checkMember(remotePeer)
      validateCancel(cancel)
    } catch (err) {
      this.answered?.inc({ outcome: reasonFor(err) })
      return { reject: { workloadId: cancel.workloadId, generation: cancel.generation, reason: reasonFor(err), detail: (err as Error).message } }
    }
    const held = this.db.getHosted(remotePeer, cancel.workloadId)
    const decision = decideCancel(held, cancel)
    const now = this.c.clock.now()
    let removed = false
    if (decision.action === 'tombstone' || held == null) {
      const t: HostedRecord = held ?? {
        consumer: remotePeer, workloadId: cancel.workloadId, name: '', generation: 0, fence: decision.fence, leaseId: '', manifests: '',
        requests: zero(), path: [], tenantNs: '', acceptedAt: now, phase: Phase.CANCELLED,
        readyReplicas: 0, replicas: 0, podIps: [], lastError: '', observedGeneration: 0, sequence: 0
      }
      t.fence = decision.fence
      this.db.transaction(() => {
        if (held == null) this.forgetOldTombstones(remotePeer)
        this.db.putHosted(t, now)
      })
    } else if (decision.action === 'remove') {
      removed = isActive(held)
      const h: HostedRecord = { ...held, fence: decision.fence, phase: Phase.CANCELLED, readyReplicas: 0, podIps: [], sequence: held.sequence + 1 }
      this.db.transaction(() => {
        this.db.putHosted(h, now)
        this.c.store.append('delegation.hosted', `${remotePeer}/${cancel.workloadId}`, { action: 'cancel', fence: decision.fence })
      })
      if (removed) this.remove(h)
      this.publish(h)
    } else {
      this.db.putHosted({ ...held, fence: decision.fence }, now)
    }
    this.log.info({ consumer: remotePeer, workloadId: cancel.workloadId, fence: decision.fence, action: decision.action }, 'cancel')
    return { cancelAck: { workloadId: cancel.workloadId, fence: decision.fence, removed } }
  }

  /**
   * A Cancel for a workload never held here leaves a fence, so that a
   * Delegate overtaken by its own Cancel stays out. A member could send such
   * Cancels without end: past maxTombstones per consumer the oldest fences
   * are forgotten; a Delegate signed before its Cancel is refused as stale
   * after MAX_CLOCK_SKEW_MS anyway.
   */
  private forgetOldTombstones (consumer: string): void {
    const tombs = this.db.peekHosted(consumer).filter((h) => h.generation === 0)
    const over = tombs.length - this.init.maxTombstones + 1
    if (over <= 0) return
    const oldest = [...tombs].sort((a, b) => a.acceptedAt - b.acceptedAt).slice(0, over)
    for (const h of oldest) this.db.dropHosted(h.consumer, h.workloadId)
    this.log.info({ consumer, forgotten: oldest.length, kept: this.init.maxTombstones - 1 }, 'too many fences for workloads never held here: forgot the oldest')
  }

  handleResync (remotePeer: string): DelegateResponse {
    const workloads = this.db.hosted(remotePeer).filter((h) => h.generation > 0).slice(0, MAX_RESYNC_WORKLOADS)
      .map((h) => ({ workloadId: h.workloadId, generation: h.generation, status: statusOf(h, this.c.clock.now()) }))
    return { resync: { workloads } }
  }

  // --- status stream

  async onStatusStream (stream: Stream, remotePeer: string): Promise<void> {
    let sub
    try {
      sub = await readSubscribe(stream)
    } catch (err) {
      // an unreadable subscription (over the cap, truncated, undecodable, too slow) closes the stream: left open, it would hang there
      stream.abort(err as Error)
      throw err
    }
    if (sub.consumer !== remotePeer || (this.c.membership != null && !this.c.membership.isMember(remotePeer))) {
      stream.abort(new NotMemberError('not a member, or subscribing for another agent'))
      return
    }
    const q = new StatusQueue()
    let set = this.subscribers.get(remotePeer)
    if (set == null) { set = new Set(); this.subscribers.set(remotePeer, set) }
    set.add(q)
    // the resync: everything we hold for this consumer, then a keepalive that marks the end of it
    const now = this.c.clock.now()
    for (const h of this.db.peekHosted(remotePeer)) if (h.generation > 0) q.push(statusOf(h, now))
    q.push(keepaliveStatus(now))
    const onClose = (): void => { q.close() }
    stream.addEventListener('close', onClose, { once: true })
    try {
      await writeStatusFrames(stream, q)
    } finally {
      stream.removeEventListener('close', onClose)
      set.delete(q)
      if (set.size === 0) this.subscribers.delete(remotePeer)
    }
  }

  private publish (h: HostedRecord): void {
    const set = this.subscribers.get(h.consumer)
    if (set == null) return
    const s = statusOf(h, this.c.clock.now())
    for (const q of set) q.push(s)
  }

  private sendKeepalives (): void {
    const s = keepaliveStatus(this.c.clock.now())
    for (const set of this.subscribers.values()) for (const q of set) q.push(s)
  }

  // --- applying and watching

  private startApply (h: HostedRecord): void {
    const key = `${h.consumer}/${h.workloadId}`
    const run = (this.applying.get(key) ?? Promise.resolve()).then(async () => { await this.apply(h.consumer, h.workloadId, h.generation) })
      .catch((err: unknown) => { this.log.error({ err, consumer: h.consumer, workloadId: h.workloadId }, 'apply failed') })
    this.applying.set(key, run)
    void run.finally(() => { if (this.applying.get(key) === run) this.applying.delete(key) })
  }

  private async apply (consumer: string, workloadId: string, generation: number): Promise<void> {
    if (this.stopped) return
    let h = this.db.getHosted(consumer, workloadId)
    if (h == null || h.generation !== generation || !isActive(h)) return
    const key = `${consumer}/${workloadId}`
    // APPLYING is said, not stored: after a crash the record is still ACCEPTED and is applied again
    this.publish({ ...h, phase: Phase.APPLYING })
    try {
      const docs = parseManifests(h.manifests)
      await this.c.workloads.apply(h.tenantNs, docs, { workloadId, generation, consumer, name: h.name, path: h.path, ...(h.hopLimit != null ? { hopLimit: h.hopLimit } : {}), leaseId: h.leaseId })
    } catch (err) {
      h = this.db.getHosted(consumer, workloadId)
      if (h == null || h.generation !== generation || !isActive(h)) return
      this.log.warn({ err, consumer, workloadId, generation }, 'applying a delegated workload failed')
      this.onBackend(consumer, workloadId, generation, { phase: 'failing', readyReplicas: 0, replicas: 0, podIps: [], error: `apply: ${(err as Error).message}` })
      return
    }
    h = this.db.getHosted(consumer, workloadId)
    if (h == null || h.generation !== generation || !isActive(h) || this.stopped) return
    // said, not stored: the watch's first report (RUNNING, FAILING…) is the next durable change
    this.publish({ ...h, phase: Phase.PROGRESSING, observedGeneration: generation, sequence: h.sequence + 1 })
    h.observedGeneration = generation
    this.watches.get(key)?.()
    this.watches.set(key, this.c.workloads.watch(h.tenantNs, workloadId, parseManifests(h.manifests), (s) => { this.onBackend(consumer, workloadId, generation, s) }))
  }

  private onBackend (consumer: string, workloadId: string, generation: number, s: BackendStatus): void {
    if (this.stopped) return
    const h = this.db.getHosted(consumer, workloadId)
    if (h == null || h.generation !== generation || !isActive(h)) return
    const now = this.c.clock.now()
    const fields: Partial<HostedRecord> = { readyReplicas: s.readyReplicas, replicas: s.replicas, podIps: s.podIps.slice(0, 256), lastError: (s.error ?? '').slice(0, MAX_ERROR_CHARS), via: s.via }
    switch (s.phase) {
      case 'running': fields.phase = Phase.RUNNING; fields.failingSince = undefined; break
      case 'succeeded': fields.phase = Phase.SUCCEEDED; break
      case 'progressing': fields.phase = Phase.PROGRESSING; break
      case 'failing': fields.phase = Phase.FAILING; fields.failingSince = h.failingSince ?? now; break
      case 'unrunnable': fields.phase = Phase.RELINQUISHED; break
    }
    if (fields.phase === Phase.FAILING && now - (fields.failingSince ?? now) >= this.init.giveUpAfterMs) fields.phase = Phase.RELINQUISHED
    const next = this.update(h, fields)
    if (next.phase === Phase.RELINQUISHED) {
      this.log.warn({ consumer, workloadId, generation, error: next.lastError }, 'giving a delegated workload up: the consumer will place it again')
      this.remove(next)
    }
  }

  /** Leases that ended take their workloads with them (the consumer was told by the lease, or is away). */
  reclaim (): void {
    const now = this.c.clock.now()
    for (const h of this.db.hosted()) {
      if (!isActive(h)) continue
      const lease = this.c.leases.get(h.leaseId)
      const over = lease == null || lease.state === 'expired' || lease.state === 'released' || lease.expires <= now
      if (!over) continue
      this.log.info({ consumer: h.consumer, workloadId: h.workloadId, leaseId: h.leaseId }, 'lease ended: reclaiming its workload')
      const next = this.update(h, { phase: Phase.RECLAIMED, readyReplicas: 0, podIps: [], lastError: `lease ${h.leaseId} ended` })
      this.remove(next)
    }
  }

  private remove (h: HostedRecord): void {
    const key = `${h.consumer}/${h.workloadId}`
    this.watches.get(key)?.()
    this.watches.delete(key)
    const run = (this.applying.get(key) ?? Promise.resolve()).then(async () => { await this.c.workloads.delete(h.tenantNs, h.workloadId, parseManifests(h.manifests)) })
      .catch((err: unknown) => { this.log.warn({ err, consumer: h.consumer, workloadId: h.workloadId }, 'removing a workload failed') })
    this.applying.set(key, run)
    void run.finally(() => { if (this.applying.get(key) === run) this.applying.delete(key) })
  }

  private update (h: HostedRecord, fields: Partial<HostedRecord>): HostedRecord {
    const next: HostedRecord = { ...h, ...fields, sequence: h.sequence + 1 }
    const essential = next.phase !== h.phase || next.observedGeneration !== h.observedGeneration || (next.via ?? []).join(',') !== (h.via ?? []).join(',')
    const detail = next.readyReplicas !== h.readyReplicas || next.replicas !== h.replicas || next.lastError !== h.lastError ||
      next.podIps.join(',') !== h.podIps.join(',')
    if (!essential && !detail) return h
    // detail alone (a pod restarting with a new name in the error, replicas coming up) is seen again after a
    // restart: it is written without an fsync, so a crash-looping workload cannot stall the agent on the disk
    if (essential) this.db.putHosted(next, this.c.clock.now())
    else this.c.store.relaxed(() => { this.db.putHosted(next, this.c.clock.now()) })
    this.publish(next)
    return next
  }

  /** Waits until no apply or delete is running (tests, shutdown). */
  async settled (): Promise<void> {
    while (this.applying.size > 0) await Promise.allSettled([...this.applying.values()])
  }

  private checkMember (peer: string): void {
    if (this.c.membership != null && !this.c.membership.isMember(peer)) throw new NotMemberError('not a member of this fleet')
  }
}

export function isActive (h: HostedRecord): boolean {
  return h.generation > 0 && h.phase !== Phase.CANCELLED && h.phase !== Phase.RECLAIMED && h.phase !== Phase.RELINQUISHED
}

export function statusOf (h: HostedRecord, now: number): Status {
  return {
    workloadId: h.workloadId,
    generation: h.generation,
    phase: h.phase,
    readyReplicas: h.readyReplicas,
    replicas: h.replicas,
    podIps: h.podIps,
    lastError: h.lastError,
    observedGeneration: h.observedGeneration,
    sequence: h.sequence,
    timestamp: now,
    ...(h.via != null && h.via.length > 0 ? { via: { agents: h.via } } : {})
  }
}

function keepaliveStatus (now: number): Status {
  return { workloadId: '', generation: 0, phase: Phase.PHASE_UNSPECIFIED, readyReplicas: 0, replicas: 0, podIps: [], lastError: '', observedGeneration: 0, sequence: 0, timestamp: now }
}
