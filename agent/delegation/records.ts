/**
 * Delegation's durable state, in the agent's store: the consumer's
 * workloads, the outbox, and the workloads this agent hosts for others.
 * Every change is committed (fsynced) before anything is sent or answered.
 */
import type { Store } from '../store/index.ts'
import type { Resources } from '../../protocol/peering/resources.ts'
import type { WorkloadPhase } from '../../protocol/delegation/phases.ts'
import type { Phase } from '../../protocol/pb/delegate.js'
import type { Constraints, Decision } from '../scheduler/index.ts'

export const migrations = [
  `CREATE TABLE delegation_workloads (name TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL, updated INTEGER NOT NULL)`,
  `CREATE TABLE delegation_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, peer TEXT NOT NULL, kind TEXT NOT NULL, workload_id TEXT NOT NULL,
     generation INTEGER NOT NULL, fence INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
     created INTEGER NOT NULL, last_error TEXT)`,
  `CREATE INDEX delegation_outbox_due ON delegation_outbox (next_at)`,
  `CREATE TABLE delegation_hosted (consumer TEXT NOT NULL, workload_id TEXT NOT NULL, data TEXT NOT NULL, updated INTEGER NOT NULL,
     PRIMARY KEY (consumer, workload_id)) WITHOUT ROWID`
]

export interface ReportedStatus {
  phase: Phase | 'LOCAL'
  readyReplicas: number
  replicas: number
  podIps: string[]
  lastError: string
  observedGeneration: number
  sequence: number
  /** ms since the epoch, when we received it */
  at: number
  /** the agents the provider passed the workload on to (the waterfall), the last one running it */
  via?: string[]
}

export interface Placement {
  /** peer ID of the provider, or ours for the local cluster */
  target: string
  local: boolean
  leaseId?: string
  generation: number
  placedAt: number
  ackedAt?: number
}

export interface FencedPlacement {
  peer: string
  generation: number
  at: number
  /** true once the provider confirmed the Cancel */
  cancelled: boolean
}

/** A workload this agent submitted (consumer side). */
export interface WorkloadRecord {
  name: string
  id: string
  generation: number
  /** the manifests as submitted (YAML or JSON text) */
  manifests: string
  requests: Resources
  constraints: Constraints
  onDisconnect: 'keep' | 'failover'
  failoverAfterMs: number
  spread: number
  phase: WorkloadPhase
  phaseSince: number
  createdAt: number
  updatedAt: number
  placement?: Placement
  status?: ReportedStatus
  disconnectedSince?: number
  fenced: FencedPlacement[]
  /** peers that refused or gave this workload up since it last ran */
  avoid: string[]
  decision?: Decision
  /** set when this workload is one we pass on for another agent (the waterfall) */
  relay?: Relay
  /** set on copies 2…N of a spread workload (agent/delegation/spread.ts): the workload they copy and their index */
  copyOf?: { name: string, index: number }
  lastError?: string
  history: Array<{ at: number, phase: WorkloadPhase, event: string, detail?: string }>
}

/** A workload this agent runs for a consumer (provider side). */
export interface HostedRecord {
  consumer: string
  workloadId: string
  name: string
  /** 0 for a tombstone left by a Cancel */
  generation: number
  fence: number
  leaseId: string
  manifests: string
  requests: Resources
  path: string[]
  tenantNs: string
  acceptedAt: number
  phase: Phase
  readyReplicas: number
  replicas: number
  podIps: string[]
  lastError: string
  observedGeneration: number
  sequence: number
  /** when the backend first reported failing for this generation */
  failingSince?: number
  /** the hop limit the Delegate carried */
  hopLimit?: number
  /** set when we passed the workload on (the waterfall): the agents it went to, the last one running it */
  via?: string[]
}

/** A workload passed on for another agent: where it came from, so the Delegate we send extends its path. */
export interface Relay {
  /** the path the upstream Delegate came along, origin first, the upstream sender last */
  path: string[]
  hopLimit: number
  /** the upstream consumer and its workload */
  upstream: { consumer: string, workloadId: string, generation: number }
}

export type OutboxKind = 'delegate' | 'cancel'

export interface OutboxRow {
  id: number
  peer: string
  kind: OutboxKind
  workloadId: string
  generation: number
  fence: number
  attempts: number
  nextAt: number
  created: number
  lastError: string | null
}

/**
 * Reads come from an in-memory copy of the tables, loaded at start and
 * written through (the store stays the truth: a failed transaction reloads
 * the copy). Readers get their own clones, so a record changed but not put
 * back changes nothing.
 */
export class DelegationStore {
  readonly store: Store
  private workloadCache = new Map<string, WorkloadRecord>()
  private hostedCache = new Map<string, HostedRecord>()
  private readonly dirty = new Set<string>()

  constructor (store: Store) {
    this.store = store
    store.migrate('delegation', migrations)
    this.reload()
  }

  private reload (): void {
    this.workloadCache = new Map(this.store.all<{ data: string }>('SELECT data FROM delegation_workloads').map((r) => {
      const w = JSON.parse(r.data) as WorkloadRecord
      return [w.name, w]
    }))
    this.hostedCache = new Map(this.store.all<{ data: string }>('SELECT data FROM delegation_hosted').map((r) => {
      const h = JSON.parse(r.data) as HostedRecord
      return [`${h.consumer}/${h.workloadId}`, h]
    }))
  }

  transaction<T> (fn: () => T): T {
    try {
      return this.store.transaction(fn)
    } catch (err) {
      this.dirty.clear()
      this.reload()
      throw err
    }
  }

  // consumer workloads

  /**
   * A change that may be lost in a crash (a status the provider sends again
   * on resync): kept in memory now, written with the next durable change of
   * the record or the next flush.
   */
  putWorkloadVolatile (w: WorkloadRecord): void {
    this.workloadCache.set(w.name, structuredClone(w))
    this.dirty.add(w.name)
  }

  /** Writes every volatile change, in one transaction. */
  flush (): void {
    if (this.dirty.size === 0 || !this.store.isOpen) return
    const names = [...this.dirty]
    this.transaction(() => {
      for (const n of names) {
        const w = this.workloadCache.get(n)
        if (w != null) this.putWorkload(w)
      }
    })
  }

  putWorkload (w: WorkloadRecord): void {
    this.dirty.delete(w.name)
    this.store.run('INSERT INTO delegation_workloads (name, id, data, updated) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET id = excluded.id, data = excluded.data, updated = excluded.updated',
      w.name, w.id, JSON.stringify(w), w.updatedAt)
    this.workloadCache.set(w.name, structuredClone(w))
  }

  getWorkload (name: string): WorkloadRecord | undefined {
    const w = this.workloadCache.get(name)
    return w == null ? undefined : structuredClone(w)
  }

  workloads (): WorkloadRecord[] {
    return this.peekWorkloads().map((w) => structuredClone(w))
  }

  /** The records themselves, sorted by name: read them, never change them. */
  peekWorkloads (): readonly WorkloadRecord[] {
    return [...this.workloadCache.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  }

  // outbox

  enqueue (m: { peer: string, kind: OutboxKind, workloadId: string, generation: number, fence?: number, nextAt: number }): number {
    return Number(this.store.run('INSERT INTO delegation_outbox (peer, kind, workload_id, generation, fence, next_at, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
      m.peer, m.kind, m.workloadId, m.generation, m.fence ?? 0, m.nextAt, m.nextAt).lastInsertRowid)
  }

  hasOutbox (peer: string, kind: OutboxKind, workloadId: string, generation: number): boolean {
    return this.store.get('SELECT 1 AS x FROM delegation_outbox WHERE peer = ? AND kind = ? AND workload_id = ? AND generation = ?', peer, kind, workloadId, generation) != null
  }

  due (now: number, limit: number): OutboxRow[] {
    return this.store.all<Record<string, unknown>>('SELECT * FROM delegation_outbox WHERE next_at <= ? ORDER BY next_at, id LIMIT ?', now, limit).map(toOutbox)
  }

  outbox (): OutboxRow[] {
    return this.store.all<Record<string, unknown>>('SELECT * FROM delegation_outbox ORDER BY id').map(toOutbox)
  }

  nextDue (): number | undefined {
    const row = this.store.get<{ n: number | null }>('SELECT MIN(next_at) AS n FROM delegation_outbox')
    return row?.n ?? undefined
  }

  retryLater (id: number, attempts: number, nextAt: number, error: string): void {
    this.store.run('UPDATE delegation_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?', attempts, nextAt, error.slice(0, 300), id)
  }

  /** A peer came back: everything waiting for it is due now. */
  hurry (peer: string, now: number): void {
    this.store.run('UPDATE delegation_outbox SET next_at = ? WHERE peer = ? AND next_at > ?', now, peer, now)
  }

  done (id: number): void {
    this.store.run('DELETE FROM delegation_outbox WHERE id = ?', id)
  }

  dropFor (workloadId: string, kind: OutboxKind): void {
    this.store.run('DELETE FROM delegation_outbox WHERE workload_id = ? AND kind = ?', workloadId, kind)
  }

  // provider side

  putHosted (h: HostedRecord, now: number): void {
    this.store.run('INSERT INTO delegation_hosted (consumer, workload_id, data, updated) VALUES (?, ?, ?, ?) ON CONFLICT (consumer, workload_id) DO UPDATE SET data = excluded.data, updated = excluded.updated',
      h.consumer, h.workloadId, JSON.stringify(h), now)
    this.hostedCache.set(`${h.consumer}/${h.workloadId}`, structuredClone(h))
  }

  dropHosted (consumer: string, workloadId: string): void {
    this.store.run('DELETE FROM delegation_hosted WHERE consumer = ? AND workload_id = ?', consumer, workloadId)
    this.hostedCache.delete(`${consumer}/${workloadId}`)
  }

  getHosted (consumer: string, workloadId: string): HostedRecord | undefined {
    const h = this.hostedCache.get(`${consumer}/${workloadId}`)
    return h == null ? undefined : structuredClone(h)
  }

  hosted (consumer?: string): HostedRecord[] {
    return this.peekHosted(consumer).map((h) => structuredClone(h))
  }

  /** The records themselves, by consumer and workload: read them, never change them. */
  peekHosted (consumer?: string): readonly HostedRecord[] {
    return [...this.hostedCache.values()].filter((h) => consumer == null || h.consumer === consumer)
      .sort((a, b) => a.consumer < b.consumer ? -1 : a.consumer > b.consumer ? 1 : a.workloadId < b.workloadId ? -1 : a.workloadId > b.workloadId ? 1 : 0)
  }
}

function toOutbox (r: Record<string, unknown>): OutboxRow {
  return {
    id: Number(r.id),
    peer: String(r.peer),
    kind: r.kind as OutboxKind,
    workloadId: String(r.workload_id),
    generation: Number(r.generation),
    fence: Number(r.fence),
    attempts: Number(r.attempts),
    nextAt: Number(r.next_at),
    created: Number(r.created),
    lastError: r.last_error == null ? null : String(r.last_error)
  }
}

/** Exponential backoff with full jitter: a random delay in [base·2^(n-1)/2, base·2^(n-1)], capped at max. */
export function backoffMs (attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}
