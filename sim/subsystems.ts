/**
 * Which subsystems the agents under simulation actually have, and what they
 * report. The simulator measures whatever exists: discovery and links today;
 * peering (the lease ledger), delegation (consumer workloads, hosted
 * workloads) and kube when agent/system.ts wires them onto the Agent as
 * `agent.peering`, `agent.delegation`, `agent.kube`. Fields for an absent
 * subsystem stay null and a note says why — never an invented figure.
 *
 * The shapes read here are the public methods of agent/peering (list(),
 * offerView(), stats) and agent/delegation (submit(), list(), hosted());
 * they are read structurally so that the simulator keeps compiling while
 * those subsystems are being built.
 */
import type { Agent } from '../agent/system.ts'

interface LeaseLike { role?: string, state?: string, provider?: string, consumer?: string, quota?: Record<string, number> }
interface PeeringLike { list?: () => LeaseLike[], offerView?: () => { pool?: Record<string, number>, granted?: Record<string, number> }, stats?: { rejects?: Record<string, number> } | (() => { rejects?: Record<string, number> }) }
interface WorkloadLike { name?: string, id?: string, phase?: string, history?: Array<{ at: number, phase: string, event: string }>, disconnectedSince?: number }
interface DelegationLike { submit?: (s: { name?: string, manifests: string }) => WorkloadLike, list?: () => WorkloadLike[], hosted?: () => Array<{ id?: string, workloadId?: string, consumer?: string, phase?: string }> }

export interface DelegationFigures {
  submitted: number
  running: number
  failed: number
  lost: number
  duplicatesMaxConcurrent: number
  duplicateWindowS: number | null
}

export interface SubsystemProbe {
  present: { discovery: boolean, links: boolean, peering: boolean, delegation: boolean, kube: boolean }
  notes: string[]
  delegations: DelegationFigures | null
  failoverMs: number[]
  overcommitViolations: number | null
  loopsRefused: number | null
  leases: { active: number } | null
  skippedSubmissions: number
  submit: (agent: Agent, e: { workload: string, cpu: string, memory: string }) => Promise<string>
  noteSubmissions: (outcomes: string[]) => void
  collect: (agents: Agent[]) => void
}

const peeringOf = (a: Agent): PeeringLike | undefined => (a as unknown as { peering?: PeeringLike }).peering
const delegationOf = (a: Agent): DelegationLike | undefined => (a as unknown as { delegation?: DelegationLike }).delegation
const kubeOf = (a: Agent): unknown => (a as unknown as { kube?: unknown }).kube

export function manifestFor (name: string, cpu: string, memory: string): string {
  return [
    'apiVersion: apps/v1', 'kind: Deployment', `metadata: { name: ${name} }`, 'spec:', '  replicas: 1',
    `  selector: { matchLabels: { app: ${name} } }`, '  template:', `    metadata: { labels: { app: ${name} } }`, '    spec:', '      containers:',
    `        - name: main`, '          image: registry.example/sim/worker:1',
    `          resources: { requests: { cpu: "${cpu}", memory: "${memory}" }, limits: { cpu: "${cpu}", memory: "${memory}" } }`
  ].join('\n') + '\n'
}

export function probeSubsystems (): SubsystemProbe {
  const submittedNames: string[] = []
  const p: SubsystemProbe = {
    present: { discovery: false, links: false, peering: false, delegation: false, kube: false },
    notes: [],
    delegations: null,
    failoverMs: [],
    overcommitViolations: null,
    loopsRefused: null,
    leases: null,
    skippedSubmissions: 0,
    async submit (agent, e) {
      const d = delegationOf(agent)
      if (d?.submit == null) return 'skipped'
      try {
        d.submit({ name: e.workload, manifests: manifestFor(e.workload, e.cpu, e.memory) })
        submittedNames.push(e.workload)
        return 'submitted'
      } catch {
        return 'refused'
      }
    },
    noteSubmissions (outcomes) {
      p.skippedSubmissions = outcomes.filter((o) => o === 'skipped').length
    },
    collect (agents) {
      p.present.discovery = agents.some((a) => a.discovery?.discovery != null)
      p.present.links = agents.some((a) => a.discovery?.links != null)
      p.present.peering = agents.some((a) => peeringOf(a)?.list != null)
      p.present.delegation = agents.some((a) => delegationOf(a)?.list != null)
      p.present.kube = agents.some((a) => kubeOf(a) != null)
      if (!p.present.kube) p.notes.push('kube: agent/system.ts wires no Kubernetes client yet (no kube section in agent/config/schema.ts), so agents run without an emulated cluster')
      if (p.present.peering) collectPeering(p, agents)
      else p.notes.push('peering: not wired into Agent yet; overcommitViolations, loopsRefused and leases are null')
      if (p.present.delegation) collectDelegation(p, agents, submittedNames)
      else {
        p.notes.push(`delegation: not wired into Agent yet; ${p.skippedSubmissions} scheduled submissions were not made and delegations.* are 0`)
        p.delegations = { submitted: 0, running: 0, failed: 0, lost: 0, duplicatesMaxConcurrent: 0, duplicateWindowS: null }
      }
    }
  }
  return p
}

function collectPeering (p: SubsystemProbe, agents: Agent[]): void {
  let violations = 0
  let loops = 0
  let active = 0
  for (const a of agents) {
    const peering = peeringOf(a)
    const leases = peering?.list?.() ?? []
    active += leases.filter((l) => l.state === 'active' || l.state === 'grace').length
    const view = peering?.offerView?.()
    if (view?.pool != null && view.granted != null) {
      for (const [k, v] of Object.entries(view.granted)) if (typeof v === 'number' && v > (view.pool[k] ?? 0)) violations++
    }
    const stats = typeof peering?.stats === 'function' ? peering.stats() : peering?.stats
    for (const [reason, n] of Object.entries(stats?.rejects ?? {})) if (/loop|hop/i.test(reason)) loops += n
  }
  p.overcommitViolations = violations
  p.loopsRefused = loops
  p.leases = { active }
}

function collectDelegation (p: SubsystemProbe, agents: Agent[], submitted: string[]): void {
  const records = new Map<string, WorkloadLike>()
  for (const a of agents) for (const w of delegationOf(a)?.list?.() ?? []) if (w.name != null) records.set(w.name, w)
  const hostedBy = new Map<string, number>()
  for (const a of agents) {
    for (const h of delegationOf(a)?.hosted?.() ?? []) {
      if (h.phase === 'cancelled' || h.phase === 'deleted') continue
      const key = h.workloadId ?? h.id ?? ''
      hostedBy.set(key, (hostedBy.get(key) ?? 0) + 1)
    }
  }
  const phases = [...records.values()].map((w) => w.phase)
  for (const w of records.values()) {
    const hist = w.history ?? []
    for (let i = 0; i < hist.length; i++) {
      const h = hist[i] as { at: number, phase: string }
      if (h.phase !== 'failing-over') continue
      const back = hist.slice(i + 1).find((x) => x.phase === 'running' || x.phase === 'delegated')
      if (back != null) p.failoverMs.push(back.at - h.at)
    }
  }
  p.delegations = {
    submitted: submitted.length,
    running: phases.filter((x) => x === 'running').length,
    failed: phases.filter((x) => x === 'failed').length,
    // accepted by the consumer but in no agent's journal any more
    lost: submitted.filter((n) => !records.has(n)).length,
    duplicatesMaxConcurrent: Math.max(0, ...[...hostedBy.values()].map((n) => n - 1)),
    duplicateWindowS: null
  }
  p.notes.push('delegation: duplicateWindowS needs per-placement timestamps from the provider side; reported as null')
}
