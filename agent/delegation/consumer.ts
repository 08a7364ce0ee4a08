/**
 * The consumer side of delegation: the operator's workloads, their
 * placement, a durable outbox, status from providers, and failover.
 *
 * A submission is validated, then written to the store and the journal
 * before the operator gets an answer. Placement asks the scheduler; a remote
 * placement is a Delegate in the outbox, sent with exponential backoff and
 * jitter until the provider answers (retries are idempotent by workload id
 * and generation). Each provider we have placed on gets one long-lived status
 * subscription; when it breaks, the workloads there show `disconnected` since
 * that moment with their last status. With on-disconnect=failover, after
 * failoverAfter the workload gets a new generation placed elsewhere, and the
 * old one is fenced: a Cancel waits in the outbox until that provider is
 * reachable again, and any late Ack or Status from it is answered with one.
 */
import { randomUUID } from 'node:crypto'
import type { Stream } from '@libp2p/interface'
import { Counter, Histogram } from 'prom-client'
import { sub, zero, min as rmin, add, type Resources } from '../../protocol/peering/resources.ts'
import {
  tryTransition, classifyReport, isTerminal, sealDelegate, request, subscribe, statusFrames, parseManifests, requestsOf,
  isRetryElsewhere, DELEGATE_PROTOCOL, STATUS_PROTOCOL, DEFAULT_HOP_LIMIT, WorkloadExistsError, WorkloadNotFoundError,
  ProviderUnreachableError, MalformedMessageError, type WorkloadEvent
} from '../../protocol/delegation/index.ts'
import { Phase, type Status, type DelegateResponse } from '../../protocol/pb/delegate.js'
import { schedule, type Constraints, type LeaseView } from '../scheduler/index.ts'
import type { DelegationComponents, BackendStatus } from './types.ts'
import { backoffMs, type DelegationStore, type OutboxRow, type Relay, type WorkloadRecord } from './records.ts'
import { copyName, liveCopies, siblingTargets, spreadCopies } from './spread.ts'

export interface ConsumerInit {
  retryBaseMs: number
  retryMaxMs: number
  /** how often due outbox messages, failovers and unplaced workloads are looked at, ms */
  tickMs: number
  /** a status stream silent for this long is taken as broken, ms */
  statusIdleMs: number
  /** delay before a broken status stream is opened again (grows to retryMaxMs), ms */
  reconnectBaseMs: number
  /** namespace of workloads placed on the local cluster */
  localNamespace: string
  hopLimit?: number
  /** messages sent at once */
  concurrency: number
  random?: () => number
}

export interface Submission {
  name?: string
  manifests: string
  constraints?: Constraints
  onDisconnect?: 'keep' | 'failover'
  failoverAfterMs?: number
  spread?: number
  /** passing on a workload delegated to us (the waterfall): never placed locally, nor on anyone on the path */
  relay?: Relay
}

const HISTORY = 30

export class Consumer {
  private readonly c: DelegationComponents
  private readonly db: DelegationStore
  private readonly init: ConsumerInit
  private readonly log
  private readonly sessions = new Map<string, Session>()
  private readonly byId = new Map<string, string>()
  private readonly failures = new Map<string, { n: number, at: number }>()
  private readonly inflight = new Set<number>()
  private readonly localWatches = new Map<string, () => void>()
  private readonly pending = new Set<Promise<unknown>>()
  /** providers we last saw unreachable */
  private readonly down = new Set<string>()
  private timer?: { clear(): void }
  private kick?: { clear(): void }
  private running = false
  private readonly sent?: Counter
  private readonly applyLatency?: Histogram
  private readonly statusRefused?: Counter
  /** listeners for tests and the API's --wait (called after the change is stored) */
  readonly listeners = new Set<(w: WorkloadRecord) => void>()

  constructor (c: DelegationComponents, db: DelegationStore, init: ConsumerInit) {
    this.c = c
    this.db = db
    this.init = init
    this.log = c.logger
    if (c.metrics != null) {
      const registers = [c.metrics.registry]
      this.sent = new Counter({ name: 'skein_delegation_outbox_sends_total', help: 'Outbox sends, by kind and outcome', labelNames: ['kind', 'outcome'], registers })
      this.statusRefused = new Counter({ name: 'skein_delegation_status_refused_total', help: 'Status frames from providers refused, by reason (malformed, unreadable: the stream is dropped; not-placed-here: a report for a copy never placed on that provider)', labelNames: ['reason'], registers })
      this.applyLatency = new Histogram({ name: 'skein_delegation_ack_seconds', help: 'Time from placement to the provider\'s Ack', registers, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] })
    }
  }

  start (): void {
    if (this.running) return
    this.running = true
    for (const w of this.db.workloads()) {
      this.byId.set(w.id, w.name)
      if (w.placement?.local === true && !isTerminal(w.phase) && w.phase !== 'cancelling') this.watchLocal(w)
      if (w.phase === 'cancelling' && w.placement?.local === true) this.track(this.finishLocalCancel(w))
    }
    this.refreshSessions()
    this.timer = this.c.clock.setInterval(() => {
      // a stop that ran out of time closes the store under a still-running consumer: no crash for that
      try { this.tick() } catch (err) { if (this.running && this.c.store.isOpen) this.log.error({ err }, 'delegation tick failed') }
    }, this.init.tickMs)
    this.tick()
  }

  async stop (): Promise<void> {
    this.running = false
    this.timer?.clear()
    this.kick?.clear()
    for (const s of this.sessions.values()) s.stop()
    this.sessions.clear()
    for (const stop of this.localWatches.values()) stop()
    this.localWatches.clear()
    await Promise.allSettled([...this.pending])
    this.db.flush()
  }

  // --- operator

  /** Validates, stores (journal first), places; the answer comes after the write. */
  submit (s: Submission): WorkloadRecord {
    const docs = parseManifests(s.manifests)
    const requests = requestsOf(docs)
    const name = s.name ?? docs[0]?.metadata.name ?? 'workload'
    const existing = this.db.getWorkload(name)
    if (existing != null && !isTerminal(existing.phase)) {
      throw new WorkloadExistsError(`a workload named ${name} exists (${existing.phase})`, { hint: `cancel it first (skein cancel ${name}) or pick another --name` })
    }
    // copies are named NAME.2…NAME.N: a live workload of its own under one of those names is not overwritten
    for (let i = 2; i <= (s.spread ?? 1); i++) {
      const other = this.db.getWorkload(copyName(name, i))
      if (other != null && other.copyOf == null && !isTerminal(other.phase)) {
        throw new WorkloadExistsError(`--spread ${s.spread ?? 1} would name a copy ${copyName(name, i)}, and a workload of that name exists (${other.phase})`, { hint: `pick another --name, or cancel ${copyName(name, i)} first` })
      }
    }
    const lingering = liveCopies(this.db.peekWorkloads(), name)[0]
    if (lingering != null) throw new WorkloadExistsError(`a copy of the earlier workload ${name} is still ${lingering.phase}`, { hint: `wait until its cancel is confirmed (skein describe workload ${name}) or pick another --name` })
    const now = this.c.clock.now()
    const w: WorkloadRecord = {
      name,
      id: randomUUID().replace(/-/g, ''),
      generation: 1,
      manifests: s.manifests,
      requests,
      constraints: s.constraints ?? {},
      onDisconnect: s.onDisconnect ?? 'keep',
      failoverAfterMs: s.failoverAfterMs ?? 30_000,
      spread: s.spread ?? 1,
      phase: 'pending',
      phaseSince: now,
      createdAt: now,
      updatedAt: now,
      fenced: [],
      avoid: [],
      history: [{ at: now, phase: 'pending', event: 'submitted' }],
      ...(s.relay != null ? { relay: s.relay } : {})
    }
    this.byId.set(w.id, name)
    // one durable write for the submission and its placement: the journal entry is committed before the operator hears back
    this.db.transaction(() => {
      this.db.putWorkload(w)
      this.c.store.append('delegation.workload', name, { event: 'submitted', id: w.id, generation: 1, requests })
      this.place(name)
      // --spread N: copies 2…N, each placed away from the clusters the earlier ones took
      for (const copy of spreadCopies(w, now)) {
        this.byId.set(copy.id, copy.name)
        this.db.putWorkload(copy)
        this.c.store.append('delegation.workload', copy.name, { event: 'submitted', id: copy.id, generation: 1, requests, copyOf: name })
        this.place(copy.name)
      }
    })
    this.log.info({ workload: name, workloadId: w.id }, 'workload submitted')
    return this.db.getWorkload(name) ?? w
  }

  list (): WorkloadRecord[] {
    return this.db.workloads()
  }

  get (name: string): WorkloadRecord {
    const w = this.db.getWorkload(name)
    if (w == null) throw new WorkloadNotFoundError(`no workload named ${name}`, { hint: 'see `skein workloads`' })
    return w
  }

  cancel (name: string): WorkloadRecord {
    const w = this.get(name)
    if (isTerminal(w.phase) || w.phase === 'cancelling') return w
    const now = this.c.clock.now()
    const p = w.placement
    this.db.transaction(() => {
      this.db.dropFor(w.id, 'delegate')
      if (p != null && !p.local) this.db.enqueue({ peer: p.target, kind: 'cancel', workloadId: w.id, generation: p.generation, fence: w.generation, nextAt: now })
      this.change(w, 'cancel', 'cancelled by the operator')
      if (p == null) this.change(w, 'cancelled')
    })
    if (p?.local === true) this.track(this.finishLocalCancel(w))
    this.pokeOutbox()
    return this.get(name)
  }

  // --- placement

  private place (name: string): void {
    const w = this.db.getWorkload(name)
    if (w == null || !this.running) return
    if (!(w.phase === 'pending' || w.phase === 'failing-over' || w.phase === 'failed')) return
    const now = this.c.clock.now()
    const exclude = [...w.avoid, ...(w.placement != null && w.phase === 'failing-over' ? [w.placement.target] : []), ...(w.relay?.path ?? []), ...siblingTargets(this.db.peekWorkloads(), w)]
    // a workload we pass on for someone else came here because our cluster could not take it
    const local = w.relay == null ? this.c.local : undefined
    const decision = schedule({
      requests: w.requests,
      constraints: w.constraints,
      leases: this.leaseViews(w.id, w.relay != null),
      ...(local != null ? { local: { peerId: this.c.peerId, free: local.free(), capacity: local.capacity(), labels: local.labels(), ...(local.cost != null ? { cost: local.cost } : {}), ...(local.carbon != null ? { carbon: local.carbon } : {}) } } : {}),
      link: (p) => this.c.links?.get(p),
      peer: (p) => this.c.peers?.get(p),
      recentFailures: (p) => this.recentFailures(p),
      exclude,
      now
    })
    w.decision = decision
    const chosen = decision.chosen
    if (chosen == null) {
      const refusal = w.phase === 'pending' && w.lastError != null && w.avoid.length > 0 ? `; last refusal: ${w.lastError}` : ''
      w.lastError = `no candidate passed the filters${refusal}`
      this.db.transaction(() => { this.change(w, 'unschedulable', w.lastError) })
      return
    }
    // a new target gets a new generation: each generation lives on exactly one placement
    const fencedThere = w.fenced.some((f) => f.peer === chosen.target && f.generation === w.generation)
    if (w.placement != null && (w.placement.target !== chosen.target || fencedThere)) w.generation++
    if (w.placement != null && w.placement.target !== chosen.target && w.phase !== 'failing-over') {
      // the old placement was refused or never made it: nothing to fence, but cancel to be sure
      if (!w.placement.local) this.fence(w, w.placement.target, w.placement.generation, now)
    }
    w.placement = { target: chosen.target, local: chosen.local, ...(chosen.leaseId != null ? { leaseId: chosen.leaseId } : {}), generation: w.generation, placedAt: now }
    w.disconnectedSince = undefined
    w.status = undefined
    this.db.transaction(() => {
      if (!chosen.local) this.db.enqueue({ peer: chosen.target, kind: 'delegate', workloadId: w.id, generation: w.generation, nextAt: now })
      this.change(w, 'placed', `${chosen.local ? 'local cluster' : chosen.target} (score ${chosen.score})`)
      this.c.store.append('delegation.workload', w.name, { event: 'placed', target: chosen.target, generation: w.generation, leaseId: chosen.leaseId })
    })
    this.log.info({ workload: w.name, target: chosen.target, generation: w.generation, leaseId: chosen.leaseId }, 'placed')
    // side effects after the commit (place may run inside the submission's transaction)
    queueMicrotask(() => {
      if (chosen.local) this.track(this.applyLocal(w))
      else { this.refreshSessions(); this.pokeOutbox() }
    })
  }

  /** relayed: for a workload passed on, whose share of the lease is what was re-granted, not what our own work may use */
  private leaseViews (selfId: string, relayed = false): LeaseView[] {
    const used = new Map<string, Resources>()
    for (const w of this.db.peekWorkloads()) {
      if (w.id === selfId || w.placement?.leaseId == null || isTerminal(w.phase) || w.phase === 'cancelling') continue
      used.set(w.placement.leaseId, add(used.get(w.placement.leaseId) ?? zero(), w.requests))
    }
    return this.c.leases.held().filter((l) => l.consumer === this.c.peerId).map((l) => {
      let remaining = sub(l.quota, used.get(l.id) ?? zero())
      const ledger = relayed ? undefined : this.c.leases.remainingQuota?.(l.id)
      if (ledger != null) remaining = rmin(remaining, ledger)
      return { id: l.id, provider: l.provider, quota: l.quota, remaining, expires: l.expires, state: l.state }
    })
  }

  private recentFailures (peer: string): number {
    const f = this.failures.get(peer)
    if (f == null) return 0
    // failures fade over ten minutes
    const age = this.c.clock.now() - f.at
    return age > 600_000 ? 0 : f.n
  }

  private noteFailure (peer: string): void {
    const f = this.failures.get(peer)
    this.failures.set(peer, { n: (f != null && this.c.clock.now() - f.at < 600_000 ? f.n : 0) + 1, at: this.c.clock.now() })
  }

  private fence (w: WorkloadRecord, peer: string, generation: number, now: number): void {
    if (!w.fenced.some((f) => f.peer === peer && f.generation === generation)) w.fenced.push({ peer, generation, at: now, cancelled: false })
    if (!this.db.hasOutbox(peer, 'cancel', w.id, generation)) {
      this.db.enqueue({ peer, kind: 'cancel', workloadId: w.id, generation, fence: generation, nextAt: now })
    }
  }

  // --- local placement

  private async applyLocal (w: WorkloadRecord): Promise<void> {
    const gen = w.generation
    try {
      await this.c.workloads.apply(this.init.localNamespace, parseManifests(w.manifests), { workloadId: w.id, generation: gen, consumer: this.c.peerId, name: w.name })
    } catch (err) {
      this.onLocalStatus(w.name, gen, { phase: 'unrunnable', readyReplicas: 0, replicas: 0, podIps: [], error: (err as Error).message })
      return
    }
    const cur = this.db.getWorkload(w.name)
    if (cur?.placement?.local !== true || cur.generation !== gen) return
    this.watchLocal(cur)
  }

  private watchLocal (w: WorkloadRecord): void {
    const gen = w.generation
    this.localWatches.get(w.id)?.()
    this.localWatches.set(w.id, this.c.workloads.watch(this.init.localNamespace, w.id, parseManifests(w.manifests), (s) => { this.onLocalStatus(w.name, gen, s) }))
  }

  private onLocalStatus (name: string, generation: number, s: BackendStatus): void {
    const phase = s.phase === 'running' ? Phase.RUNNING : s.phase === 'succeeded' ? Phase.SUCCEEDED : s.phase === 'unrunnable' ? Phase.RELINQUISHED : s.phase === 'failing' ? Phase.FAILING : Phase.PROGRESSING
    const w = this.db.getWorkload(name)
    if (w?.placement?.local !== true || w.generation !== generation) return
    this.applyStatus(w, { workloadId: w.id, generation, phase, readyReplicas: s.readyReplicas, replicas: s.replicas, podIps: s.podIps, lastError: s.error ?? '', observedGeneration: generation, sequence: (w.status?.sequence ?? 0) + 1, timestamp: this.c.clock.now() })
  }

  private async finishLocalCancel (w: WorkloadRecord): Promise<void> {
    this.localWatches.get(w.id)?.()
    this.localWatches.delete(w.id)
    try {
      await this.c.workloads.delete(this.init.localNamespace, w.id, parseManifests(w.manifests))
    } catch (err) {
      this.log.warn({ err, workload: w.name }, 'removing a local workload failed; will retry')
      return
    }
    const cur = this.db.getWorkload(w.name)
    if (cur?.phase === 'cancelling') this.db.transaction(() => { this.change(cur, 'cancelled') })
  }

  // --- the outbox

  private pokeOutbox (): void {
    if (!this.running) return
    this.kick?.clear()
    this.kick = undefined
    queueMicrotask(() => { this.drain() })
  }

  private tick (): void {
    if (!this.running) return
    this.db.flush()
    this.drain()
    const now = this.c.clock.now()
    const due = this.db.peekWorkloads().filter((w) => w.phase === 'disconnected' || w.phase === 'failed' || w.phase === 'pending').map((w) => w.name)
    for (const name of due) {
      const w = this.db.getWorkload(name)
      if (w == null) continue
      if (w.phase === 'disconnected' && w.onDisconnect === 'failover' && w.disconnectedSince != null && now - w.disconnectedSince >= w.failoverAfterMs) {
        this.failover(w, `unreachable for ${Math.round((now - w.disconnectedSince) / 100) / 10}s (failover-after ${w.failoverAfterMs}ms)`)
      } else if (w.phase === 'failed' && now - w.phaseSince >= Math.max(this.init.retryMaxMs, 1000)) {
        // try again: capacity or links may have changed
        w.avoid = []
        this.db.putWorkload(w)
        this.place(w.name)
      } else if (w.phase === 'pending') {
        this.place(w.name)
      }
    }
    this.checkLinks()
  }

  private drain (): void {
    if (!this.running) return
    const room = this.init.concurrency - this.inflight.size
    if (room <= 0) return
    for (const m of this.db.due(this.c.clock.now(), room + this.inflight.size)) {
      if (this.inflight.has(m.id) || this.inflight.size >= this.init.concurrency) continue
      this.inflight.add(m.id)
      this.track(this.send(m).finally(() => { this.inflight.delete(m.id); if (this.running) this.pokeIfDue() }))
    }
  }

  private pokeIfDue (): void {
    const next = this.db.nextDue()
    if (next != null && next <= this.c.clock.now()) this.pokeOutbox()
    else if (next != null && this.kick == null) this.kick = this.c.clock.setTimeout(() => { this.kick = undefined; this.drain() }, Math.max(1, next - this.c.clock.now()))
  }

  private async send (m: OutboxRow): Promise<void> {
    const name = this.byId.get(m.workloadId)
    const w = name != null ? this.db.getWorkload(name) : undefined
    let res: DelegateResponse
    try {
      if (m.kind === 'delegate') {
        // send only what is still current: a superseded generation is dropped, not sent
        if (w == null || w.placement == null || w.placement.target !== m.peer || w.placement.generation !== m.generation || w.generation !== m.generation ||
            !(w.phase === 'placing' || w.phase === 'disconnected' || w.phase === 'delegated')) {
          this.db.done(m.id)
          return
        }
        const delegate = await sealDelegate(this.c.privateKey, {
          workloadId: w.id,
          generation: w.generation,
          name: w.name,
          manifests: new TextEncoder().encode(w.manifests),
          constraints: { region: w.constraints.region ?? '', maxRttMs: w.constraints.maxRttMs ?? 0, maxLossPpm: Math.round((w.constraints.maxLoss ?? 0) * 1e6), minBandwidthBps: w.constraints.minBandwidthBps ?? 0, prefer: w.constraints.prefer ?? '', labels: new Map(Object.entries(w.constraints.labels ?? {})) },
          // passed on (the waterfall): the path grows by us, the origin stays the consumer, the hop limit never grows
          path: [...(w.relay?.path ?? []), this.c.peerId],
          hopLimit: Math.min(w.relay?.hopLimit ?? Infinity, this.init.hopLimit ?? DEFAULT_HOP_LIMIT),
          leaseId: w.placement.leaseId ?? '',
          consumer: w.relay?.path[0] ?? this.c.peerId,
          provider: m.peer
        }, this.c.clock.now())
        res = await this.exchange(m.peer, { delegate })
      } else {
        res = await this.exchange(m.peer, { cancel: { workloadId: m.workloadId, generation: m.generation, fence: m.fence } })
      }
    } catch (err) {
      const attempts = m.attempts + 1
      const delay = backoffMs(attempts, this.init.retryBaseMs, this.init.retryMaxMs, this.init.random)
      this.db.retryLater(m.id, attempts, this.c.clock.now() + delay, (err as Error).message)
      this.sent?.inc({ kind: m.kind, outcome: 'retry' })
      this.log.debug({ err, peer: m.peer, kind: m.kind, workloadId: m.workloadId, attempts, delay }, 'send failed; will retry')
      this.markDown(m.peer)
      return
    }
    this.sent?.inc({ kind: m.kind, outcome: res.reject != null ? 'reject' : 'ok' })
    // the message leaves the outbox in the same write as what its answer changed
    this.db.transaction(() => {
      this.db.done(m.id)
      this.onResponse(m, res)
    })
  }

  private async exchange (peer: string, req: Parameters<typeof request>[1]): Promise<DelegateResponse> {
    let stream: Stream
    try {
      stream = await this.c.network.dial(peer, DELEGATE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
    } catch (err) {
      throw new ProviderUnreachableError(`cannot reach ${peer}: ${(err as Error).message}`)
    }
    return await request(stream, req)
  }

  private onResponse (m: OutboxRow, res: DelegateResponse): void {
    const name = this.byId.get(m.workloadId)
    const w = name != null ? this.db.getWorkload(name) : undefined
    if (m.kind === 'cancel') {
      if (w == null) return
      const f = w.fenced.find((x) => x.peer === m.peer && x.generation === m.generation)
      if (f != null) f.cancelled = true
      if (w.phase === 'cancelling' && w.placement?.target === m.peer && w.placement.generation === m.generation) {
        this.db.transaction(() => { this.change(w, 'cancelled', res.cancelAck?.removed === true ? 'removed by the provider' : 'nothing was running') })
      } else {
        this.db.putWorkload(w)
      }
      this.refreshSessions()
      return
    }
    if (w == null) return
    if (res.ack != null) {
      const kind = classifyReport(w, m.peer, res.ack.generation)
      if (kind !== 'current') { this.cancelCopy(w, m.peer, res.ack.generation); return }
      if (w.placement != null && w.placement.ackedAt == null) {
        w.placement.ackedAt = this.c.clock.now()
        this.applyLatency?.observe((w.placement.ackedAt - w.placement.placedAt) / 1000)
      }
      this.db.transaction(() => { this.change(w, 'ack') })
      return
    }
    if (res.reject != null) {
      if (classifyReport(w, m.peer, res.reject.generation) !== 'current') return
      const detail = `${m.peer} refused: ${res.reject.reason}: ${res.reject.detail}`
      w.lastError = detail
      this.noteFailure(m.peer)
      this.log.warn({ workload: w.name, peer: m.peer, reason: res.reject.reason, detail: res.reject.detail }, 'delegation refused')
      if (isRetryElsewhere(res.reject.reason)) {
        if (!w.avoid.includes(m.peer)) w.avoid.push(m.peer)
        this.db.transaction(() => { this.change(w, 'reject', detail) })
        this.place(w.name)
      } else {
        this.db.transaction(() => { this.change(w, 'reject', detail); this.change(w, 'unschedulable', detail) })
      }
    }
  }

  private cancelCopy (w: WorkloadRecord, peer: string, generation: number): void {
    if (this.db.hasOutbox(peer, 'cancel', w.id, generation)) return
    const f = w.fenced.find((x) => x.peer === peer && x.generation === generation)
    if (f != null && f.cancelled) f.cancelled = false
    this.log.info({ workload: w.name, peer, generation }, 'a fenced copy reported in: cancelling it')
    this.db.transaction(() => {
      this.fence(w, peer, generation, this.c.clock.now())
      this.db.putWorkload(w)
    })
    this.pokeOutbox()
  }

  // --- failover

  private failover (w: WorkloadRecord, why: string): void {
    const p = w.placement
    if (p == null) return
    const now = this.c.clock.now()
    this.noteFailure(p.target)
    this.db.transaction(() => {
      if (!p.local) this.fence(w, p.target, p.generation, now)
      this.change(w, w.phase === 'disconnected' ? 'failover' : 'relinquished', why)
      this.c.store.append('delegation.workload', w.name, { event: 'failover', from: p.target, generation: p.generation, why })
    })
    this.log.warn({ workload: w.name, from: p.target, generation: p.generation, why }, 'failing over')
    this.place(w.name)
  }

  // --- status

  private applyStatus (w: WorkloadRecord, s: Status): void {
    // an equal sequence is the same status again (a resync after a reconnect): it still settles the phase
    if (w.status != null && s.sequence < w.status.sequence && w.placement?.local !== true) return
    const now = this.c.clock.now()
    w.status = { phase: s.phase, readyReplicas: s.readyReplicas, replicas: s.replicas, podIps: s.podIps, lastError: s.lastError, observedGeneration: s.observedGeneration, sequence: s.sequence, at: now, ...(s.via != null && s.via.agents.length > 0 ? { via: s.via.agents } : {}) }
    let event: WorkloadEvent | undefined
    switch (s.phase) {
      case Phase.RUNNING: event = 'running'; break
      case Phase.SUCCEEDED: event = 'succeeded'; break
      case Phase.RELINQUISHED:
      case Phase.RECLAIMED:
        this.db.putWorkload(w)
        if (w.phase !== 'cancelling' && !isTerminal(w.phase)) {
          if (w.placement != null && !w.avoid.includes(w.placement.target)) w.avoid.push(w.placement.target)
          this.failover(w, `${w.placement?.local === true ? 'the local cluster' : w.placement?.target ?? '?'} gave it up: ${s.lastError || s.phase}`)
        }
        return
      case Phase.CANCELLED: break
      default: event = w.phase === 'disconnected' ? 'reconnect' : 'progressing'
    }
    // a status that moves no phase is volatile: the provider sends it again on resync
    if (event != null && tryTransition(w.phase, event) === w.phase) { w.updatedAt = now; this.db.putWorkloadVolatile(w); this.emit(w); return }
    if (event === 'running') w.avoid = []
    this.db.transaction(() => { if (event != null) this.change(w, event); else this.db.putWorkload(w) })
  }

  private onStatus (peer: string, s: Status): void {
    const name = this.byId.get(s.workloadId)
    const w = name != null ? this.db.getWorkload(name) : undefined
    if (w == null) {
      // a copy we know nothing of: fence it with a tombstone on the provider
      if (s.phase !== Phase.CANCELLED && s.phase !== Phase.RECLAIMED && !this.db.hasOutbox(peer, 'cancel', s.workloadId, s.generation)) {
        this.db.enqueue({ peer, kind: 'cancel', workloadId: s.workloadId, generation: s.generation, fence: s.generation, nextAt: this.c.clock.now() })
        this.pokeOutbox()
      }
      return
    }
    const kind = classifyReport(w, peer, s.generation)
    if (kind !== 'current' || w.phase === 'cancelling' || isTerminal(w.phase)) {
      const gone = s.phase === Phase.CANCELLED || s.phase === Phase.RECLAIMED || s.phase === Phase.RELINQUISHED
      if (gone) {
        const f = w.fenced.find((x) => x.peer === peer && x.generation === s.generation)
        if (f != null && !f.cancelled) { f.cancelled = true; this.db.putWorkload(w) }
        if (w.phase === 'cancelling' && w.placement?.target === peer && w.placement.generation === s.generation) {
          this.db.transaction(() => { this.change(w, 'cancelled', 'removed by the provider') })
        }
      } else if (kind !== 'current') {
        // only a copy we placed there can report in; anything else is the provider's invention, and fencing it
        // would let a hostile provider grow the workload's fences and our outbox without end
        if (this.placedThere(w, peer, s.generation)) this.cancelCopy(w, peer, s.generation)
        else this.refusedStatus(peer, 'not-placed-here', { workload: w.name, generation: s.generation })
      }
      return
    }
    this.applyStatus(w, s)
  }

  /**
   * Whether `peer` can hold this generation: it was placed there (every placement that moved on left a fence),
   * or it is ahead of ours (our store was rolled back) and is the first such report from that peer.
   */
  private placedThere (w: WorkloadRecord, peer: string, generation: number): boolean {
    if (w.fenced.some((f) => f.peer === peer && f.generation === generation)) return true
    return generation > w.generation && !w.fenced.some((f) => f.peer === peer && f.generation > w.generation)
  }

  /** @internal a status frame (or the stream it came on) refused */
  refusedStatus (peer: string, reason: 'malformed' | 'unreadable' | 'not-placed-here', fields: Record<string, unknown> = {}): void {
    this.statusRefused?.inc({ reason })
    this.log.debug({ ...fields, peer, reason }, 'refused a status report')
  }

  // --- provider sessions: one status subscription per provider we placed on

  private refreshSessions (): void {
    if (!this.running) return
    const wanted = new Set<string>()
    for (const w of this.db.peekWorkloads()) {
      if (w.placement != null && !w.placement.local && !isTerminal(w.phase)) wanted.add(w.placement.target)
      for (const f of w.fenced) if (!f.cancelled) wanted.add(f.peer)
    }
    for (const m of this.db.outbox()) wanted.add(m.peer)
    for (const peer of wanted) {
      if (this.sessions.has(peer)) continue
      const s = new Session(peer, this)
      this.sessions.set(peer, s)
      s.start()
    }
    for (const [peer, s] of this.sessions) {
      if (!wanted.has(peer)) { s.stop(); this.sessions.delete(peer) }
    }
  }

  /** @internal Session callbacks */
  sessionUp (peer: string): void {
    this.down.delete(peer)
    const now = this.c.clock.now()
    this.db.hurry(peer, now)
    for (const seen of this.db.peekWorkloads()) {
      if (seen.phase === 'disconnected' && seen.placement?.target === peer) {
        const w = this.db.getWorkload(seen.name)
        if (w != null) this.db.transaction(() => { this.change(w, 'reconnect', `${peer} reachable again`) })
      }
    }
    this.pokeOutbox()
  }

  /** @internal */
  markDown (peer: string): void {
    this.down.add(peer)
    const now = this.c.clock.now()
    for (const seen of this.db.peekWorkloads()) {
      if (seen.placement?.target !== peer || seen.placement.local) continue
      if (seen.phase === 'placing' || seen.phase === 'delegated' || seen.phase === 'running') {
        const w = this.db.getWorkload(seen.name)
        if (w == null) continue
        w.disconnectedSince = now
        this.db.transaction(() => { this.change(w, 'disconnect', `${peer} unreachable`) })
      }
    }
  }

  private checkLinks (): void {
    if (this.c.links == null) return
    const now = this.c.clock.now()
    for (const [peer, session] of this.sessions) {
      // a status stream that is still delivering outranks telemetry's verdict
      if (now - session.lastFrameAt < this.init.statusIdleMs / 3) continue
      const l = this.c.links.get(peer)
      if (l != null && (l.state === 'unreachable' || l.state === 'gone')) this.markDown(peer)
    }
  }

  /** @internal */
  sessionStatus (peer: string, s: Status): void {
    if (this.down.has(peer)) this.sessionUp(peer)
    if (s.workloadId === '') return
    this.onStatus(peer, s)
  }

  /** @internal */
  get components (): DelegationComponents { return this.c }
  /** @internal */
  get settings (): ConsumerInit { return this.init }
  /** @internal */
  get isRunning (): boolean { return this.running }

  /** @internal */
  track<T> (p: Promise<T>): void {
    const q = p.catch((err: unknown) => { this.log.error({ err }, 'delegation task failed') })
    this.pending.add(q)
    void q.finally(() => { this.pending.delete(q) })
  }

  private change (w: WorkloadRecord, event: WorkloadEvent, detail?: string): void {
    const next = tryTransition(w.phase, event)
    const now = this.c.clock.now()
    if (next == null) {
      this.log.debug({ workload: w.name, phase: w.phase, event }, 'event does not apply in this phase')
      w.updatedAt = now
      this.db.putWorkload(w)
      return
    }
    if (next !== w.phase) {
      w.phaseSince = now
      w.history.push({ at: now, phase: next, event, ...(detail != null ? { detail } : {}) })
      if (w.history.length > HISTORY) w.history.splice(0, w.history.length - HISTORY)
    }
    if (next !== 'disconnected') w.disconnectedSince = undefined
    w.phase = next
    w.updatedAt = now
    this.db.putWorkload(w)
    queueMicrotask(() => { this.emit(w) })
  }

  private emit (w: WorkloadRecord): void {
    for (const l of this.listeners) {
      try { l(w) } catch {}
    }
  }
}

/** One status subscription to one provider, reopened with backoff while it is wanted. */
class Session {
  readonly peer: string
  private readonly owner: Consumer
  private abort = new AbortController()
  private stopped = false
  private attempts = 0
  /** when the last frame (status or keepalive) arrived */
  lastFrameAt = 0

  constructor (peer: string, owner: Consumer) {
    this.peer = peer
    this.owner = owner
  }

  start (): void {
    this.owner.track(this.loop())
  }

  stop (): void {
    this.stopped = true
    this.abort.abort()
  }

  private async loop (): Promise<void> {
    const c = this.owner.components
    const init = this.owner.settings
    while (!this.stopped && this.owner.isRunning) {
      let stream: Stream | undefined
      try {
        stream = await c.network.dial(this.peer, STATUS_PROTOCOL, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(5000)]) })
        await subscribe(stream, c.peerId, { signal: this.abort.signal })
        let up = false
        for await (const s of statusFrames(stream, { signal: this.abort.signal, idleMs: init.statusIdleMs })) {
          this.lastFrameAt = c.clock.now()
          if (!up) { up = true; this.attempts = 0; this.owner.sessionUp(this.peer) }
          this.owner.sessionStatus(this.peer, s)
        }
      } catch (err) {
        if (this.stopped) return
        const name = (err as Error).name
        if (err instanceof MalformedMessageError) this.owner.refusedStatus(this.peer, 'malformed', { err })
        // a length prefix over the cap, or too long to be one (a varint past 2^53 is a RangeError)
        else if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError' || name === 'RangeError') this.owner.refusedStatus(this.peer, 'unreadable', { err })
        else c.logger.debug({ err, peer: this.peer }, 'status stream broke')
      } finally {
        stream?.abort(new Error('status session ended'))
      }
      if (this.stopped) return
      this.owner.markDown(this.peer)
      this.attempts++
      const delay = backoffMs(this.attempts, init.reconnectBaseMs, init.retryMaxMs, init.random)
      await new Promise<void>((resolve) => {
        const onAbort = (): void => { t.clear(); resolve() }
        const t = c.clock.setTimeout(() => { this.abort.signal.removeEventListener('abort', onAbort); resolve() }, delay)
        this.abort.signal.addEventListener('abort', onAbort, { once: true })
      })
    }
  }
}
