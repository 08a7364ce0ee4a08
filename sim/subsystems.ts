/**
 * What the agents under simulation report about peering and delegation, and
 * what their clusters show (sim/clusters.ts): submissions made for the
 * scenario's `workloads`, the consumers' journals at the end (every accepted
 * workload must still be in one: `lost`), workload histories (failover
 * latency), lease ledgers (overcommit) and refusals by loop detection. Fields
 * for an absent subsystem stay null and a note says why — never an invented
 * figure.
 *
 *   const probe = probeSubsystems()
 *   await probe.submit('ground-0', agent, event)     // a scheduled submission
 *   await probe.absorb(agent)                        // before an agent stops: keep its counters
 *   probe.collect({ running, stopped, clusters, cutBefore })
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { Counter } from 'prom-client'
import type { Agent } from '../agent/system.ts'
import { storeFile } from '../agent/store/index.ts'
import type { WorkloadRecord } from '../agent/delegation/index.ts'
import type { ClusterWatch } from './clusters.ts'

export interface DelegationFigures {
  /** accepted by a consumer */
  submitted: number
  /** in phase running at the end (consumers still running) */
  running: number
  /** reported running by some cluster at least once during the run */
  reachedRunning: number
  failed: number
  /** accepted, but in no journal of the consumer that accepted it at the end */
  lost: number
  /** most extra copies of one workload running at once, from the clusters */
  duplicatesMaxConcurrent: number
  /** longest time, s, two copies of one workload ran at once (cluster samples); 0 when never; null when no cluster was sampled */
  duplicateWindowS: number | null
  /** workloads that ever ran twice at once */
  duplicatedWorkloads: number
  /** where the workloads ended up: remote provider, the consumer's own cluster, or not running */
  placements: { remote: number, local: number, none: number }
  /** the consumers' phase of each submitted workload at the end (running, disconnected, placing...) */
  phasesAtEnd: Record<string, number>
  /** failovers that started (link cut, failoverAfter passed) but had no replacement running by the end */
  failoversUnfinished: number
  /** running copies at the end by the group of the agent whose cluster runs them (the waterfall shows here: drones, not relays) */
  runningOn: Record<string, number>
}

export interface SubmitEvent { workload: string, cpu: string, memory: string, onDisconnect?: 'keep' | 'failover', failoverAfterMs?: number }

export interface CollectInput {
  /** agents running at the end */
  running: Array<{ name: string, agent: Agent }>
  /** agents stopped at the end (left, crashed): their journals are read from their state directories */
  stopped: Array<{ name: string, stateDir: string }>
  clusters: ClusterWatch
  /** the latest moment (epoch ms) ≤ `at` when the link between agent `observer` and the peer went down in the link model */
  cutBefore: (observer: string, peerId: string, at: number) => number | undefined
  groupOf: (agent: string) => string | undefined
}

export interface SubsystemProbe {
  present: { discovery: boolean, links: boolean, peering: boolean, delegation: boolean, kube: boolean }
  notes: string[]
  delegations: DelegationFigures | null
  failoverMs: number[]
  overcommitViolations: number | null
  overcommitExamples: string[]
  loopsRefused: number | null
  leases: { active: number, granted: number } | null
  skippedSubmissions: number
  submit: (from: string, agent: Agent, e: SubmitEvent) => Promise<string>
  noteSubmissions: (outcomes: string[]) => void
  absorb: (agent: Agent) => Promise<void>
  collect: (input: CollectInput) => void
}

export function manifestFor (name: string, cpu: string, memory: string): string {
  return [
    'apiVersion: apps/v1', 'kind: Deployment', `metadata: { name: ${name} }`, 'spec:', '  replicas: 1',
    `  selector: { matchLabels: { app: ${name} } }`, '  template:', `    metadata: { labels: { app: ${name} } }`, '    spec:', '      containers:',
    `        - name: main`, '          image: registry.example/sim/worker:1',
    `          resources: { requests: { cpu: "${cpu}", memory: "${memory}" }, limits: { cpu: "${cpu}", memory: "${memory}" } }`
  ].join('\n') + '\n'
}

const loopReasons = new Set(['LOOP', 'HOP_LIMIT'])

export function probeSubsystems (): SubsystemProbe {
  /** submitter → workload names it accepted */
  const accepted = new Map<string, string[]>()
  const absorbed = new WeakSet<Agent>()
  let loops = 0
  let sawPeering = false
  const p: SubsystemProbe = {
    present: { discovery: false, links: false, peering: false, delegation: false, kube: false },
    notes: [],
    delegations: null,
    failoverMs: [],
    overcommitViolations: null,
    overcommitExamples: [],
    loopsRefused: null,
    leases: null,
    skippedSubmissions: 0,
    async submit (from, agent, e) {
      const d = agent.delegation
      if (d == null) return 'skipped'
      try {
        d.submit({
          name: e.workload,
          manifests: manifestFor(e.workload, e.cpu, e.memory),
          ...(e.onDisconnect != null ? { onDisconnect: e.onDisconnect } : {}),
          ...(e.failoverAfterMs != null ? { failoverAfterMs: e.failoverAfterMs } : {})
        })
        accepted.set(from, [...(accepted.get(from) ?? []), e.workload])
        return 'submitted'
      } catch {
        return 'refused'
      }
    },
    noteSubmissions (outcomes) {
      p.skippedSubmissions = outcomes.filter((o) => o === 'skipped').length
      const refused = outcomes.filter((o) => o === 'refused').length
      if (refused > 0) p.notes.push(`delegation: ${refused} submissions were refused at submit time (not counted as submitted)`)
    },
    // counters live as long as one agent instance: read them before it stops, once
    async absorb (agent) {
      if (absorbed.has(agent)) return
      absorbed.add(agent)
      if (agent.peering != null) {
        sawPeering = true
        for (const [reason, n] of Object.entries(agent.peering.stats.rejects)) if (loopReasons.has(reason)) loops += n
      }
      const answers = agent.metrics?.registry.getSingleMetric('skein_delegation_provider_answers_total') as Counter<'outcome'> | undefined
      if (answers != null) {
        for (const v of (await answers.get()).values) if (loopReasons.has(String(v.labels.outcome))) loops += v.value
      }
    },
    collect (input) {
      const agents = input.running.map((r) => r.agent)
      p.present.discovery = agents.some((a) => a.discovery?.discovery != null)
      p.present.links = agents.some((a) => a.discovery?.links != null)
      p.present.peering = sawPeering || agents.some((a) => a.peering != null)
      p.present.delegation = agents.some((a) => a.delegation != null)
      p.present.kube = agents.some((a) => a.kube != null)
      if (!p.present.kube) p.notes.push('kube: no agent has a Kubernetes client, so no cluster was sampled')
      if (p.present.peering) {
        let active = 0
        let granted = 0
        for (const a of agents) {
          for (const l of a.peering?.list() ?? []) {
            if (l.state !== 'active' && l.state !== 'grace') continue
            if (l.role === 'consumer') active++
            else granted++
          }
        }
        p.leases = { active, granted }
        p.loopsRefused = loops
        p.overcommitViolations = input.clusters.violations.length
        p.overcommitExamples = input.clusters.violations.slice(0, 5).map((v) => `${(v.t / 1000).toFixed(1)}s ${v.agent}: ${v.detail}`)
      } else p.notes.push('peering: absent; overcommitViolations, loopsRefused and leases are null')
      if (p.present.delegation) collectDelegation(p, input, accepted)
      else {
        p.notes.push(`delegation: absent; ${p.skippedSubmissions} scheduled submissions were not made and delegations.* are 0`)
        p.delegations = { submitted: 0, running: 0, reachedRunning: 0, failed: 0, lost: 0, duplicatesMaxConcurrent: 0, duplicateWindowS: null, duplicatedWorkloads: 0, placements: { remote: 0, local: 0, none: 0 }, phasesAtEnd: {}, failoversUnfinished: 0, runningOn: {} }
      }
    }
  }
  return p
}

/** A stopped agent's consumer workloads, read from its store file (the agent holds no lock on it any more). */
function journalOf (stateDir: string): WorkloadRecord[] {
  const path = join(stateDir, storeFile)
  if (!existsSync(path)) return []
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return (db.prepare('SELECT data FROM delegation_workloads').all() as Array<{ data: string }>).map((r) => JSON.parse(r.data) as WorkloadRecord)
  } catch {
    return []
  } finally {
    db.close()
  }
}

function collectDelegation (p: SubsystemProbe, input: CollectInput, accepted: Map<string, string[]>): void {
  const journals = new Map<string, { records: WorkloadRecord[], running: boolean }>()
  for (const r of input.running) journals.set(r.name, { records: r.agent.delegation?.list() ?? [], running: true })
  for (const s of input.stopped) if (accepted.has(s.name)) journals.set(s.name, { records: journalOf(s.stateDir), running: false })
  let lost = 0
  let running = 0
  let reached = 0
  let failed = 0
  let unfinished = 0
  const placements = { remote: 0, local: 0, none: 0 }
  const phasesAtEnd: Record<string, number> = {}
  for (const [from, names] of accepted) {
    const j = journals.get(from)
    const byName = new Map((j?.records ?? []).map((w) => [w.name, w]))
    for (const n of names) {
      const w = byName.get(n)
      if (w == null) { lost++; continue }
      if (w.phase === 'failed') failed++
      const phase = j?.running === true ? w.phase : `${w.phase} (consumer stopped)`
      phasesAtEnd[phase] = (phasesAtEnd[phase] ?? 0) + 1
      if (w.history.some((h) => h.phase === 'running') || w.phase === 'running') reached++
      if (j?.running === true && w.phase === 'running') {
        running++
        if (w.placement?.local === true) placements.local++
        else placements.remote++
      } else placements.none++
      const f = failovers(from, w, input.cutBefore)
      p.failoverMs.push(...f.done)
      unfinished += f.unfinished
    }
  }
  const windows = [...input.clusters.duplicateWindowsMs().values()]
  const runningOn: Record<string, number> = {}
  for (const [agent, n] of input.clusters.copiesByAgent()) {
    const g = input.groupOf(agent) ?? agent
    runningOn[g] = (runningOn[g] ?? 0) + n
  }
  p.delegations = {
    submitted: [...accepted.values()].reduce((n, a) => n + a.length, 0),
    running,
    reachedRunning: reached,
    failed,
    lost,
    duplicatesMaxConcurrent: input.clusters.maxExtraCopies,
    duplicateWindowS: input.clusters.samples > 0 ? Math.round(Math.max(0, ...windows)) / 1000 : null,
    duplicatedWorkloads: windows.length,
    placements,
    phasesAtEnd,
    failoversUnfinished: unfinished,
    runningOn
  }
  if (input.clusters.samples > 0) p.notes.push(`delegation: duplicates and overcommit are read from every running agent's cluster every ~1 s (${input.clusters.samples} samples), so windows are accurate to about a second`)
}

/**
 * Failovers of one workload after a link cut: from the moment the link to the
 * old provider went down (the link model's record; the consumer's own
 * 'disconnected' time when no cut is known) until the replacement reported
 * running.
 */
function failovers (from: string, w: WorkloadRecord, cutBefore: CollectInput['cutBefore']): { done: number[], unfinished: number } {
  const done: number[] = []
  let unfinished = 0
  const h = w.history
  for (let i = 0; i < h.length; i++) {
    const e = h[i] as WorkloadRecord['history'][number]
    if (e.phase !== 'failing-over' || e.event !== 'failover') continue
    let disconnectedAt = e.at
    let peer: string | undefined
    for (let j = i - 1; j >= 0; j--) {
      const d = h[j] as WorkloadRecord['history'][number]
      if (d.phase !== 'disconnected') break
      disconnectedAt = d.at
      peer = /^(\S+) unreachable/.exec(d.detail ?? '')?.[1] ?? peer
    }
    const start = (peer != null ? cutBefore(from, peer, disconnectedAt) : undefined) ?? disconnectedAt
    const back = h.slice(i + 1).find((x) => x.phase === 'running' || x.phase === 'failing-over')
    if (back?.phase === 'running') done.push(back.at - start)
    else if (back == null) unfinished++
  }
  return { done, unfinished }
}
