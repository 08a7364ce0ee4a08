/**
 * `--spread N`: N copies of one workload on N distinct clusters.
 *
 * The workload the operator named is copy 1; copies 2…N are workloads of
 * their own named `<name>.<i>` (a dot, which an operator's workload name
 * cannot hold) with `copyOf` pointing at copy 1. Each copy has its own ID,
 * generation, placement, status and failover, so losing one cluster moves
 * only the copy that ran there. Placement keeps them apart: the scheduler
 * excludes the clusters the other live copies of the family are placed on,
 * and since the copies are placed one after another at submission, they land
 * on the scheduler's N best candidates. The operator sees one workload: its
 * status is the aggregate of the copies (see `aggregate`), with each copy
 * listed.
 *
 *   const copies = spreadCopies(primary, now)          // copies 2…N, to store and place
 *   const exclude = siblingTargets(all, w)             // clusters the other copies hold
 *   const view = aggregate(familyOf(all, 'web'))       // phase, ready, pod IPs of them all
 */
import { randomUUID } from 'node:crypto'
import { isTerminal } from '../../protocol/delegation/index.ts'
import type { WorkloadPhase } from '../../protocol/delegation/phases.ts'
import type { WorkloadRecord } from './records.ts'

/** Largest --spread. */
export const MAX_SPREAD = 16

export function copyName (name: string, index: number): string {
  return `${name}.${index}`
}

/** The name of the family a workload belongs to (its own, for copy 1 and unspread workloads). */
export function familyName (w: Pick<WorkloadRecord, 'name' | 'copyOf'>): string {
  return w.copyOf?.name ?? w.name
}

/** Copies 2…N of a spread workload, fresh: pending, no placement, their own IDs. */
export function spreadCopies (primary: WorkloadRecord, now: number): WorkloadRecord[] {
  const out: WorkloadRecord[] = []
  for (let i = 2; i <= primary.spread; i++) {
    out.push({
      ...structuredClone(primary),
      name: copyName(primary.name, i),
      id: randomUUID().replace(/-/g, ''),
      generation: 1,
      phase: 'pending',
      phaseSince: now,
      createdAt: now,
      updatedAt: now,
      placement: undefined,
      status: undefined,
      disconnectedSince: undefined,
      decision: undefined,
      lastError: undefined,
      fenced: [],
      avoid: [],
      history: [{ at: now, phase: 'pending', event: 'submitted', detail: `copy ${i} of ${primary.spread} of ${primary.name}` }],
      copyOf: { name: primary.name, index: i }
    })
  }
  return out
}

/** Copy 1 and its copies, in copy order. */
export function familyOf (all: readonly WorkloadRecord[], name: string): WorkloadRecord[] {
  const primary = all.find((w) => w.name === name && w.copyOf == null)
  if (primary == null) return []
  const copies = all.filter((w) => w.copyOf?.name === name && w.copyOf.index <= primary.spread && w.createdAt >= primary.createdAt)
    .sort((a, b) => (a.copyOf?.index ?? 0) - (b.copyOf?.index ?? 0))
  return [primary, ...copies]
}

/** Copies of `name` that are still alive (a new workload of that name must wait for them). */
export function liveCopies (all: readonly WorkloadRecord[], name: string): WorkloadRecord[] {
  return all.filter((w) => w.copyOf?.name === name && !isTerminal(w.phase))
}

/** The clusters the other live copies of w's family are placed on: w may not go there. */
export function siblingTargets (all: readonly WorkloadRecord[], w: WorkloadRecord): string[] {
  if (w.spread <= 1) return []
  const family = familyName(w)
  const out: string[] = []
  for (const o of all) {
    if (o.name === w.name || familyName(o) !== family || o.placement == null) continue
    if (isTerminal(o.phase) || o.phase === 'cancelling') continue
    out.push(o.placement.target)
  }
  return out
}

/** How far along a phase is, for the aggregate: the family is as far as its least advanced copy. */
const rank: Record<string, number> = {
  failed: 0, unschedulable: 0, cancelled: 0, cancelling: 1, pending: 2, 'failing-over': 2, disconnected: 3, placing: 4, delegated: 5, running: 7, succeeded: 8
}

export interface Aggregate {
  phase: WorkloadPhase
  readyReplicas: number
  replicas: number
  podIps: string[]
  /** the earliest disconnection among the copies */
  disconnectedSince?: number
  lastError?: string
}

/**
 * One status for the family: ready replicas and pod IPs summed over the
 * copies; the phase of the least advanced copy (so `running` means every
 * copy runs), and cancelled only when every copy is.
 */
export function aggregate (family: readonly WorkloadRecord[]): Aggregate {
  let worst: WorkloadRecord | undefined
  let ready = 0
  let replicas = 0
  const ips: string[] = []
  let since: number | undefined
  for (const w of family) {
    ready += w.status?.readyReplicas ?? 0
    replicas += w.status?.replicas ?? w.requests.pods
    ips.push(...(w.status?.podIps ?? []))
    if (w.disconnectedSince != null) since = Math.min(since ?? Infinity, w.disconnectedSince)
    if (worst == null || (rank[w.phase] ?? 0) < (rank[worst.phase] ?? 0)) worst = w
  }
  const lastError = family.map((w) => (w.status?.lastError ?? '') !== '' ? w.status?.lastError : w.lastError).find((e) => e != null && e !== '')
  return {
    phase: worst?.phase ?? 'pending',
    readyReplicas: ready,
    replicas,
    podIps: ips,
    ...(since != null ? { disconnectedSince: since } : {}),
    ...(lastError != null ? { lastError } : {})
  }
}
