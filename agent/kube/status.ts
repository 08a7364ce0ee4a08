/**
 * Workload status, computed from API objects (pure): one phase per workload,
 * its replica counts and conditions, and a line per pod (phase, IP, node,
 * restarts, why it is not running).
 */
import { milli, units } from './quantity.ts'
import type { Resources } from './tenant.ts'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (typeof v === 'object' && v != null && !Array.isArray(v) ? v as Obj : {})
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : [])
const num = (v: unknown): number => (typeof v === 'number' ? v : 0)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Pending: nothing runs yet · Progressing: rolling out · Running: all wanted replicas ready · Succeeded / Failed: finished (Jobs, Pods). */
export type WorkloadPhase = 'Pending' | 'Progressing' | 'Running' | 'Succeeded' | 'Failed'

export interface PodSummary {
  name: string
  phase: string
  ready: boolean
  ip?: string
  node?: string
  restarts: number
  /** why it is not running, e.g. Unschedulable */
  reason?: string
  message?: string
}

export interface Condition { type: string, status: string, reason?: string, message?: string }

export interface WorkloadStatus {
  kind: string
  name: string
  namespace: string
  phase: WorkloadPhase
  generation?: number
  observedGeneration?: number
  replicas?: number
  readyReplicas?: number
  availableReplicas?: number
  succeeded?: number
  failed?: number
  conditions: Condition[]
  pods: PodSummary[]
}

export interface WorkloadRef { kind: string, name: string }

export function summarizePod (p: Obj): PodSummary {
  const m = obj(p.metadata); const s = obj(p.status); const spec = obj(p.spec)
  const cs = arr(s.containerStatuses)
  const ready = arr(s.conditions).some((c) => c.type === 'Ready' && c.status === 'True')
  const out: PodSummary = { name: str(m.name) ?? '', phase: str(s.phase) ?? 'Unknown', ready, restarts: cs.reduce((n, c) => n + num(c.restartCount), 0) }
  const ip = str(s.podIP); if (ip != null) out.ip = ip
  const node = str(spec.nodeName); if (node != null) out.node = node
  const unsched = arr(s.conditions).find((c) => c.type === 'PodScheduled' && c.status === 'False')
  const waiting = cs.map((c) => obj(obj(c.state).waiting)).find((w) => w.reason != null)
  const why = unsched ?? (waiting != null ? waiting : (str(s.reason) != null ? s : undefined))
  if (why != null && !ready) {
    const r = str(why.reason); if (r != null) out.reason = r
    const msg = str(why.message); if (msg != null) out.message = msg
  }
  return out
}

function conditionsOf (o: Obj): Condition[] {
  return arr(obj(o.status).conditions).map((c) => {
    const out: Condition = { type: str(c.type) ?? '', status: str(c.status) ?? 'Unknown' }
    const r = str(c.reason); if (r != null) out.reason = r
    const m = str(c.message); if (m != null) out.message = m
    return out
  })
}

/** Status of one workload object given the pods it selects. */
export function workloadStatus (o: Obj, pods: Obj[]): WorkloadStatus {
  const m = obj(o.metadata); const s = obj(o.status); const spec = obj(o.spec)
  const kind = str(o.kind) ?? ''
  const base: WorkloadStatus = {
    kind, name: str(m.name) ?? '', namespace: str(m.namespace) ?? '', phase: 'Pending',
    conditions: conditionsOf(o), pods: pods.map(summarizePod).sort((a, b) => a.name.localeCompare(b.name))
  }
  if (typeof m.generation === 'number') base.generation = m.generation
  if (typeof s.observedGeneration === 'number') base.observedGeneration = s.observedGeneration
  const cond = (t: string): Condition | undefined => base.conditions.find((c) => c.type === t)
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const want = typeof spec.replicas === 'number' ? spec.replicas : 1
      base.replicas = want
      base.readyReplicas = num(s.readyReplicas)
      base.availableReplicas = num(s.availableReplicas ?? s.readyReplicas)
      const current = base.observedGeneration == null || base.generation == null || base.observedGeneration >= base.generation
      if (cond('Progressing')?.status === 'False') base.phase = 'Failed'
      else if (current && base.readyReplicas >= want && num(s.replicas) <= want) base.phase = 'Running'
      else if (base.readyReplicas > 0 || num(s.replicas) > 0) base.phase = 'Progressing'
      else base.phase = 'Pending'
      break
    }
    case 'Job': {
      base.succeeded = num(s.succeeded)
      base.failed = num(s.failed)
      if (cond('Complete')?.status === 'True') base.phase = 'Succeeded'
      else if (cond('Failed')?.status === 'True') base.phase = 'Failed'
      else if (num(s.active) > 0 && base.pods.some((p) => p.phase === 'Running')) base.phase = 'Running'
      else base.phase = 'Pending'
      break
    }
    case 'Pod': {
      const p = summarizePod(o)
      base.pods = [p]
      base.phase = p.phase === 'Succeeded' ? 'Succeeded' : p.phase === 'Failed' ? 'Failed' : p.phase === 'Running' ? (p.ready ? 'Running' : 'Progressing') : 'Pending'
      break
    }
    default:
      base.phase = 'Running'
  }
  return base
}

/** The label selector of a workload's pods as a query string, or undefined if it has none. */
export function podSelector (o: Obj): string | undefined {
  const sel = obj(obj(o.spec).selector)
  const ml = obj(sel.matchLabels)
  const parts = Object.entries(ml).map(([k, v]) => `${k}=${String(v)}`)
  for (const e of arr(sel.matchExpressions)) {
    const vals = Array.isArray(e.values) ? e.values.map(String).join(',') : ''
    if (e.operator === 'In') parts.push(`${String(e.key)} in (${vals})`)
    else if (e.operator === 'NotIn') parts.push(`${String(e.key)} notin (${vals})`)
    else if (e.operator === 'Exists') parts.push(String(e.key))
    else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`)
  }
  return parts.length > 0 ? parts.join(',') : undefined
}

/** Matches a structured selector against labels (for the local cache). */
export function selects (o: Obj, podLabels: Record<string, string>): boolean {
  const sel = obj(obj(o.spec).selector)
  if (Object.keys(sel).length === 0) return false
  for (const [k, v] of Object.entries(obj(sel.matchLabels))) if (podLabels[k] !== v) return false
  for (const e of arr(sel.matchExpressions)) {
    const v = podLabels[String(e.key)]
    const vals = Array.isArray(e.values) ? e.values.map(String) : []
    if (e.operator === 'In' && (v == null || !vals.includes(v))) return false
    if (e.operator === 'NotIn' && v != null && vals.includes(v)) return false
    if (e.operator === 'Exists' && v == null) return false
    if (e.operator === 'DoesNotExist' && v != null) return false
  }
  return true
}

/** Requests of a pod: containers summed, init containers as a max (what the scheduler counts). */
export function podRequests (p: Obj): { cpu: number, memory: number, ephemeralStorage: number } {
  const spec = obj(p.spec)
  let cpu = 0; let memory = 0; let eph = 0
  for (const c of arr(spec.containers)) {
    const r = obj(obj(c.resources).requests)
    cpu += milli(r.cpu as string); memory += units(r.memory as string); eph += units(r['ephemeral-storage'] as string)
  }
  for (const c of arr(spec.initContainers)) {
    const r = obj(obj(c.resources).requests)
    cpu = Math.max(cpu, milli(r.cpu as string)); memory = Math.max(memory, units(r.memory as string))
  }
  return { cpu, memory, ephemeralStorage: eph }
}

export interface Capacity {
  /** allocatable of Ready, schedulable nodes */
  allocatable: Resources
  /** requests of non-terminal pods bound to those nodes */
  requested: Resources
  /** allocatable − requested, floored at zero */
  free: Resources
  /** the part of requested that pods in tenant namespaces (leases we granted) account for */
  tenantRequested: Resources
  nodes: number
  readyNodes: number
}

/** Free capacity from node allocatable minus the requests of running pods. */
export function computeCapacity (nodes: Obj[], pods: Obj[], isTenantNamespace: (ns: string) => boolean = (ns) => ns.startsWith('skein-')): Capacity {
  const zero = (): Resources => ({ cpu: 0, memory: 0, pods: 0, ephemeralStorage: 0, gpu: 0 })
  const allocatable = zero(); const requested = zero(); const tenantRequested = zero()
  const usable = new Set<string>()
  for (const n of nodes) {
    const ready = arr(obj(n.status).conditions).some((c) => c.type === 'Ready' && c.status === 'True')
    if (!ready || obj(n.spec).unschedulable === true) continue
    usable.add(str(obj(n.metadata).name) ?? '')
    const a = obj(obj(n.status).allocatable)
    allocatable.cpu += milli(a.cpu as string)
    allocatable.memory += units(a.memory as string)
    allocatable.pods += units(a.pods as string)
    allocatable.ephemeralStorage = (allocatable.ephemeralStorage ?? 0) + units(a['ephemeral-storage'] as string)
    allocatable.gpu = (allocatable.gpu ?? 0) + units(a['nvidia.com/gpu'] as string)
  }
  for (const p of pods) {
    const phase = obj(p.status).phase
    if (phase === 'Succeeded' || phase === 'Failed') continue
    if (!usable.has(str(obj(p.spec).nodeName) ?? '')) continue
    const r = podRequests(p)
    requested.cpu += r.cpu; requested.memory += r.memory; requested.pods += 1
    requested.ephemeralStorage = (requested.ephemeralStorage ?? 0) + r.ephemeralStorage
    let gpu = 0
    for (const c of arr(obj(p.spec).containers)) gpu += units(obj(obj(c.resources).requests)['nvidia.com/gpu'] as string)
    requested.gpu = (requested.gpu ?? 0) + gpu
    if (isTenantNamespace(str(obj(p.metadata).namespace) ?? '')) {
      tenantRequested.cpu += r.cpu; tenantRequested.memory += r.memory; tenantRequested.pods += 1
      tenantRequested.ephemeralStorage = (tenantRequested.ephemeralStorage ?? 0) + r.ephemeralStorage
      tenantRequested.gpu = (tenantRequested.gpu ?? 0) + gpu
    }
  }
  const free: Resources = {
    cpu: Math.max(0, allocatable.cpu - requested.cpu),
    memory: Math.max(0, allocatable.memory - requested.memory),
    pods: Math.max(0, allocatable.pods - requested.pods),
    ephemeralStorage: Math.max(0, (allocatable.ephemeralStorage ?? 0) - (requested.ephemeralStorage ?? 0)),
    gpu: Math.max(0, (allocatable.gpu ?? 0) - (requested.gpu ?? 0))
  }
  return { allocatable, requested, free, tenantRequested, nodes: nodes.length, readyNodes: usable.size }
}
