/**
 * The waterfall, delegation side (policy `peering.reoffer`): a workload
 * delegated to us that our own cluster cannot take is delegated on, under a
 * lease we hold, with the path extended by us; its status comes back along
 * the path and is reported upstream as ours, naming the agents it went
 * through; a Cancel from upstream cancels it downstream.
 *
 * It is a WorkloadsBackend wrapped around the local one, so the provider
 * keeps one code path (apply, watch, delete). apply decides once per
 * workload generation, and the decision is stored (a restart re-applies
 * and must not move a running copy): local when the workload fits the
 * cluster's free capacity and the own-capacity share of the lease it came
 * under; otherwise, when the hop limit leaves room and we hold a lease on
 * someone off the path, a relay: a workload of our consumer side that
 * carries the upstream path (see Relay), so the outbox delivers it, the
 * status subscription follows it and failover applies to it like any other.
 *
 *   const wf = waterfall({ self, hopLimit: 4 })({ local: kubeWorkloads(kube), store, logger, free, ownBacking, canPassOn })
 *   const d = new Delegation({ ..., workloads: wf }, init)
 *   wf.attach(d)
 */
import { createHash } from 'node:crypto'
import type { AbortOptions } from '@libp2p/interface'
import type { Store } from '../store/index.ts'
import type { ComponentLogger } from '../logger.ts'
import { fits, sub, min as rmin, sum, type Resources } from '../../protocol/peering/resources.ts'
import { requestsOf, type Manifest } from '../../protocol/delegation/manifests.ts'
import { isTerminal } from '../../protocol/delegation/phases.ts'
import type { BackendStatus, WorkloadMeta, WorkloadsBackend } from './types.ts'
import type { WorkloadRecord } from './records.ts'
import type { Submission } from './consumer.ts'

/** The parts of Delegation the waterfall drives (attached after both exist). */
export interface RelaySink {
  submit(s: Submission): WorkloadRecord
  cancel(name: string): WorkloadRecord
  find(name: string): WorkloadRecord | undefined
  onChange(fn: (w: WorkloadRecord) => void): () => void
}

export interface WaterfallInit {
  self: string
  /** our hop limit: a relay is made only when the extended path stays under it (and under the Delegate's) */
  hopLimit: number
}

export interface WaterfallComponents {
  local: WorkloadsBackend
  store: Store
  logger: ComponentLogger
  /** what the local cluster can still run */
  free(): Resources
  /** of a lease we granted, the part our own capacity backs; undefined: all of it */
  ownBacking(leaseId: string): Resources | undefined
  /** whether we hold a lease on some agent not on this path (so passing on can be tried) */
  canPassOn(path: readonly string[]): boolean
}

interface Decision {
  mode: 'local' | 'relay'
  generation: number
  leaseId: string
  requests: Resources
  /** the relay's workload name on our consumer side */
  name: string
}

const NS = 'delegation.waterfall'

/** The name of the relay workload for one upstream workload generation: stable, so a restart finds it again. */
export function relayName (tenantNs: string, workloadId: string, generation: number): string {
  return `wf-${createHash('sha256').update(`${tenantNs}/${workloadId}`).digest('hex').slice(0, 16)}-${generation}`
}

/** What a relay workload's state means upstream; undefined: nothing new to say (keep the last report). */
export function relayStatus (w: WorkloadRecord): BackendStatus | undefined {
  const via = w.placement != null && !w.placement.local ? [w.placement.target, ...(w.status?.via ?? [])] : undefined
  const base = { readyReplicas: w.status?.readyReplicas ?? 0, replicas: w.status?.replicas ?? 0, podIps: w.status?.podIps ?? [], ...(via != null ? { via } : {}) }
  switch (w.phase) {
    case 'running': return { ...base, phase: 'running' }
    case 'succeeded': return { ...base, phase: 'succeeded' }
    // nowhere to pass it on to (or it was cancelled under us): the upstream consumer places it again
    case 'failed':
    case 'cancelled': return { ...base, readyReplicas: 0, podIps: [], phase: 'unrunnable', error: `passed on, but ${w.lastError ?? w.phase}` }
    // the last known status stands while the next provider is away or the relay is being removed
    case 'disconnected':
    case 'cancelling': return undefined
    default: return { ...base, phase: 'progressing' }
  }
}

export class Waterfall implements WorkloadsBackend {
  private readonly init: WaterfallInit
  private readonly c: WaterfallComponents
  private readonly decisions = new Map<string, Decision>()
  private sink?: RelaySink

  constructor (init: WaterfallInit, c: WaterfallComponents) {
    this.init = init
    this.c = c
    for (const r of c.store.all<{ key: string, value: string }>('SELECT key, value FROM kv WHERE ns = ?', NS)) {
      try { this.decisions.set(r.key, JSON.parse(r.value) as Decision) } catch { c.store.delete(NS, r.key) }
    }
  }

  attach (sink: RelaySink): void {
    this.sink = sink
  }

  /** The relay workloads under way, by the upstream workload they carry (for describe and tests). */
  relays (): Array<{ key: string, name: string, generation: number }> {
    return [...this.decisions.entries()].filter(([, d]) => d.mode === 'relay').map(([key, d]) => ({ key, name: d.name, generation: d.generation }))
  }

  async apply (ns: string, manifests: Manifest[], meta: WorkloadMeta, options?: AbortOptions): Promise<void> {
    const sink = this.sink
    // our own local placements, and anything before attach, go straight to the cluster
    if (meta.path == null || sink == null) { await this.c.local.apply(ns, manifests, meta, options); return }
    const key = `${ns}/${meta.workloadId}`
    let d = this.decisions.get(key)
    if (d != null && d.generation !== meta.generation) {
      this.drop(key, d)
      d = undefined
    }
    if (d == null) {
      d = this.decide(ns, manifests, meta)
      this.decisions.set(key, d)
      this.c.store.put(NS, key, d)
      this.c.logger.info({ workloadId: meta.workloadId, consumer: meta.consumer, generation: meta.generation, mode: d.mode, relay: d.mode === 'relay' ? d.name : undefined }, d.mode === 'relay' ? 'passing a workload on (waterfall)' : 'running a delegated workload here')
    }
    if (d.mode === 'local') { await this.c.local.apply(ns, manifests, meta, options); return }
    // already under way (a restart re-applies): nothing to send again; a relay that ended is sent afresh
    const existing = sink.find(d.name)
    if (existing != null && !isTerminal(existing.phase)) return
    sink.submit({
      name: d.name,
      manifests: manifests.map((m) => JSON.stringify(m)).join('\n---\n'),
      onDisconnect: 'keep',
      relay: {
        path: meta.path,
        hopLimit: Math.min(meta.hopLimit ?? this.init.hopLimit, this.init.hopLimit),
        upstream: { consumer: meta.consumer, workloadId: meta.workloadId, generation: meta.generation }
      }
    })
  }

  async delete (ns: string, workloadId: string, manifests: Manifest[], options?: AbortOptions): Promise<void> {
    const key = `${ns}/${workloadId}`
    const d = this.decisions.get(key)
    if (d?.mode === 'relay') { this.drop(key, d); return }
    if (d != null) this.forget(key)
    await this.c.local.delete(ns, workloadId, manifests, options)
  }

  watch (ns: string, workloadId: string, manifests: Manifest[], onStatus: (s: BackendStatus) => void): () => void {
    const d = this.decisions.get(`${ns}/${workloadId}`)
    const sink = this.sink
    if (d?.mode !== 'relay' || sink == null) return this.c.local.watch(ns, workloadId, manifests, onStatus)
    let last = ''
    let stopped = false
    const push = (w: WorkloadRecord): void => {
      if (stopped || w.name !== d.name) return
      const s = relayStatus(w)
      if (s == null) return
      const text = JSON.stringify(s)
      if (text === last) return
      last = text
      onStatus(s)
    }
    const off = sink.onChange(push)
    queueMicrotask(() => { const w = sink.find(d.name); if (w != null) push(w) })
    return () => { stopped = true; off() }
  }

  /** Sum of what each lease's workloads run here use (the own-capacity share they draw on). */
  private usedLocally (leaseId: string): Resources {
    return sum([...this.decisions.values()].filter((d) => d.mode === 'local' && d.leaseId === leaseId).map((d) => d.requests))
  }

  private decide (ns: string, manifests: Manifest[], meta: WorkloadMeta): Decision {
    const requests = requestsOf(manifests)
    const leaseId = meta.leaseId ?? ''
    const base = { generation: meta.generation, leaseId, requests, name: relayName(ns, meta.workloadId, meta.generation) }
    const own = this.c.ownBacking(leaseId)
    const room = own != null ? rmin(this.c.free(), sub(own, this.usedLocally(leaseId))) : this.c.free()
    if (fits(requests, room)) return { ...base, mode: 'local' }
    const path = [...(meta.path ?? []), this.init.self]
    const limit = Math.min(meta.hopLimit ?? this.init.hopLimit, this.init.hopLimit)
    // the next agent gets a path of path.length: it refuses one that reached the hop limit
    if (path.length < limit && this.c.canPassOn(path)) return { ...base, mode: 'relay' }
    return { ...base, mode: 'local' }
  }

  private drop (key: string, d: Decision): void {
    this.forget(key)
    if (d.mode !== 'relay') return
    const w = this.sink?.find(d.name)
    if (w == null || isTerminal(w.phase) || w.phase === 'cancelling') return
    this.c.logger.info({ relay: d.name }, 'cancelling a workload passed on')
    this.sink?.cancel(d.name)
  }

  private forget (key: string): void {
    this.decisions.delete(key)
    this.c.store.delete(NS, key)
  }
}

export function waterfall (init: WaterfallInit): (components: WaterfallComponents) => Waterfall {
  return (components) => new Waterfall(init, components)
}
