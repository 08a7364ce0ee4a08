/**
 * The scheduler: pure placement of one workload. Filter every candidate (the
 * local cluster and each held lease), then score the survivors; every
 * decision is explained — each candidate is either filtered out with a reason
 * or scored with a breakdown — so `skein describe workload` can show why.
 *
 *   const d = schedule({ requests, constraints: { maxRttMs: 200 }, leases, local, link: (p) => links.get(p), peer: (p) => labels[p] })
 *   d.chosen // { target: '12D3KooW…', leaseId: 'l-1', score: 3.2, ... } | undefined
 *   d.candidates.map(explain)
 */
import { fits, sub, describeResources, type Resources } from '../../protocol/peering/resources.ts'

export interface Constraints {
  region?: string
  /** ms */
  maxRttMs?: number
  /** fraction 0-1 */
  maxLoss?: number
  /** bits per second */
  minBandwidthBps?: number
  prefer?: 'cost' | 'carbon' | 'latency'
  /** labels a candidate must carry, exactly */
  labels?: Record<string, string>
}

export type PeerState = 'alive' | 'suspect' | 'unreachable' | 'gone' | string

export interface LinkView {
  state: PeerState
  rttMs: number | null
  /** fraction 0-1 */
  loss: number | null
  bandwidthBps: number | null
  etx: number | null
}

export interface LeaseView {
  id: string
  provider: string
  /** what is left of the lease's quota for new work */
  remaining: Resources
  quota: Resources
  /** ms since the epoch */
  expires: number
  /** 'active' or 'grace' can take work */
  state: string
}

export interface PeerInfo {
  labels: Record<string, string>
  /** relative cost per unit of work, from the announcement's labels; lower is better */
  cost?: number
  /** grams CO2 per kWh or any relative carbon figure; lower is better */
  carbon?: number
}

export interface LocalCandidate extends PeerInfo {
  peerId: string
  /** what this cluster can still run for us */
  free: Resources
  capacity: Resources
}

export interface Weights {
  quota: number
  rtt: number
  loss: number
  bandwidth: number
  etx: number
  cost: number
  carbon: number
  failure: number
}

export const defaultWeights: Readonly<Weights> = { quota: 1, rtt: 1, loss: 1, bandwidth: 0.5, etx: 0.5, cost: 0.5, carbon: 0.5, failure: 2 }

export interface ScheduleInput {
  requests: Resources
  constraints: Constraints
  leases: readonly LeaseView[]
  local?: LocalCandidate
  link: (peerId: string) => LinkView | undefined
  peer: (peerId: string) => PeerInfo | undefined
  /** recent failures of workloads placed on this peer (decays in the caller) */
  recentFailures?: (peerId: string) => number
  /** peers not to use (the placement being failed over, fenced ones) */
  exclude?: readonly string[]
  now: number
  weights?: Partial<Weights>
}

export type Candidate =
  | { target: string, local: boolean, leaseId?: string, outcome: 'filtered', reason: string }
  | { target: string, local: boolean, leaseId?: string, outcome: 'scored', score: number, breakdown: Record<string, number> }

export type Scored = Extract<Candidate, { outcome: 'scored' }>

export interface Decision {
  chosen?: Scored
  candidates: Candidate[]
  requests: Resources
  at: number
}

function weightsFor (c: Constraints, w?: Partial<Weights>): Weights {
  const out = { ...defaultWeights, ...(w ?? {}) }
  if (c.prefer === 'cost') out.cost *= 4
  if (c.prefer === 'carbon') out.carbon *= 4
  if (c.prefer === 'latency') { out.rtt *= 4; out.loss *= 2 }
  return out
}

/** The share of quota left after placing, averaged over cpu and memory (1 = plenty). */
function freeShare (remaining: Resources, quota: Resources, req: Resources): number {
  const parts: number[] = []
  for (const n of ['cpu', 'memory'] as const) {
    if (quota[n] > 0) parts.push(Math.max(0, remaining[n] - req[n]) / quota[n])
  }
  return parts.length === 0 ? 0.5 : parts.reduce((a, b) => a + b, 0) / parts.length
}

function labelReason (info: PeerInfo | undefined, c: Constraints): string | undefined {
  const labels = info?.labels ?? {}
  if (c.region != null && c.region !== '' && labels.region !== c.region) {
    return `region ${labels.region ?? 'unknown'} is not ${c.region}`
  }
  for (const [k, v] of Object.entries(c.labels ?? {})) {
    if (labels[k] !== v) return `label ${k}=${labels[k] ?? '(none)'} is not ${v}`
  }
  return undefined
}

function linkReason (l: LinkView | undefined, c: Constraints): string | undefined {
  if (l == null) return 'no link telemetry for this peer'
  if (l.state !== 'alive') return `peer is ${l.state}`
  if (c.maxRttMs != null) {
    if (l.rttMs == null) return `no RTT measured yet (max-rtt ${c.maxRttMs}ms)`
    if (l.rttMs > c.maxRttMs) return `rtt ${round(l.rttMs)}ms > max-rtt ${c.maxRttMs}ms`
  }
  if (c.maxLoss != null && l.loss != null && l.loss > c.maxLoss) return `loss ${pct(l.loss)} > max-loss ${pct(c.maxLoss)}`
  if (c.minBandwidthBps != null) {
    if (l.bandwidthBps == null) return `no bandwidth estimate yet (min-bandwidth ${bps(c.minBandwidthBps)})`
    if (l.bandwidthBps < c.minBandwidthBps) return `bandwidth ${bps(l.bandwidthBps)} < min-bandwidth ${bps(c.minBandwidthBps)}`
  }
  return undefined
}

function costScores (info: PeerInfo | undefined, w: Weights): Record<string, number> {
  return {
    cost: w.cost * (info?.cost != null ? 1 / (1 + Math.max(0, info.cost)) : 0.5),
    carbon: w.carbon * (info?.carbon != null ? 1 / (1 + Math.max(0, info.carbon) / 100) : 0.5)
  }
}

export function schedule (input: ScheduleInput): Decision {
  const c = input.constraints
  const w = weightsFor(c, input.weights)
  const exclude = new Set(input.exclude ?? [])
  const candidates: Candidate[] = []
  const failures = (p: string): number => input.recentFailures?.(p) ?? 0
  const penalty = (p: string): number => -w.failure * Math.min(1, failures(p) / 3)

  if (input.local != null) {
    const l = input.local
    const target = l.peerId
    const reason = exclude.has(target)
      ? 'excluded (the placement being replaced)'
      : !fits(input.requests, l.free)
          ? `needs ${describeResources(input.requests)}, local cluster has ${describeResources(l.free)} free`
          : labelReason(l, c)
    if (reason != null) {
      candidates.push({ target, local: true, outcome: 'filtered', reason })
    } else {
      const breakdown: Record<string, number> = {
        quota: w.quota * freeShare(l.free, l.capacity, input.requests),
        rtt: w.rtt, loss: w.loss, bandwidth: w.bandwidth, etx: w.etx,
        ...costScores(l, w),
        failures: penalty(target)
      }
      candidates.push({ target, local: true, outcome: 'scored', score: total(breakdown), breakdown: rounded(breakdown) })
    }
  }

  for (const lease of input.leases) {
    const target = lease.provider
    const base = { target, local: false, leaseId: lease.id }
    const info = input.peer(target)
    const link = input.link(target)
    let reason: string | undefined
    if (exclude.has(target)) reason = 'excluded (the placement being replaced)'
    else if (lease.state !== 'active' && lease.state !== 'grace') reason = `lease is ${lease.state}`
    else if (lease.expires <= input.now) reason = 'lease has expired'
    else if (!fits(input.requests, lease.remaining)) {
      reason = `needs ${describeResources(input.requests)}, lease has ${describeResources(lease.remaining)} left (short of ${describeResources(sub(input.requests, lease.remaining))})`
    } else reason = labelReason(info, c) ?? linkReason(link, c)
    if (reason != null) {
      candidates.push({ ...base, outcome: 'filtered', reason })
      continue
    }
    const rtt = link?.rttMs ?? 100
    const breakdown: Record<string, number> = {
      quota: w.quota * freeShare(lease.remaining, lease.quota, input.requests),
      rtt: w.rtt * (1 / (1 + rtt / 50)),
      loss: w.loss * (1 - Math.min(1, link?.loss ?? 0.05)),
      bandwidth: w.bandwidth * (link?.bandwidthBps != null ? Math.min(1, link.bandwidthBps / 100e6) : 0.5),
      etx: w.etx * (link?.etx != null && link.etx >= 1 ? 1 / link.etx : 0.5),
      ...costScores(info, w),
      failures: penalty(target)
    }
    candidates.push({ ...base, outcome: 'scored', score: total(breakdown), breakdown: rounded(breakdown) })
  }

  let chosen: Scored | undefined
  for (const cand of candidates) {
    if (cand.outcome !== 'scored') continue
    // ties go to the local cluster, then to the lower peer ID, so a decision is reproducible
    if (chosen == null || cand.score > chosen.score || (cand.score === chosen.score && (cand.local || (!chosen.local && cand.target < chosen.target)))) chosen = cand
  }
  return { ...(chosen != null ? { chosen } : {}), candidates, requests: input.requests, at: input.now }
}

/** One line per candidate, for people. */
export function explain (c: Candidate): string {
  const who = `${c.local ? 'local ' : ''}${c.target}${c.leaseId != null ? ` (lease ${c.leaseId})` : ''}`
  if (c.outcome === 'filtered') return `${who}: filtered out: ${c.reason}`
  const parts = Object.entries(c.breakdown).map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${v}`).join(', ')
  return `${who}: score ${c.score} (${parts})`
}

function total (b: Record<string, number>): number {
  return Math.round(Object.values(b).reduce((a, x) => a + x, 0) * 1000) / 1000
}

function rounded (b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Math.round(v * 1000) / 1000]))
}

function round (x: number): number { return Math.round(x * 10) / 10 }
function pct (x: number): string { return `${round(x * 100)}%` }
function bps (x: number): string {
  if (x >= 1e9) return `${round(x / 1e9)}Gbit`
  if (x >= 1e6) return `${round(x / 1e6)}Mbit`
  if (x >= 1e3) return `${round(x / 1e3)}kbit`
  return `${x}bit`
}
