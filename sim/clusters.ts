/**
 * What the agents' clusters actually run, sampled from each agent's emulated
 * Kubernetes API (sim/kube, over HTTP) — not from what the agents say they
 * run. Two figures come from it:
 *
 * - duplicates: a workload is running on an agent when a Deployment of its
 *   name, labelled as delegated (agent/delegation labels every object it
 *   applies), has a ready replica there, in any namespace (a tenant's, or
 *   skein-local on the consumer itself). Names, not workload IDs: a relay
 *   re-delegates under an ID of its own, the manifests travel unchanged, and
 *   the simulator names every submission uniquely. Two or more at once is a duplicate; the time that
 *   lasts is the duplicate window DESIGN.md §5 allows during a failover.
 * - overcommit: on every provider, the quotas its ledger has granted (leases
 *   active or in grace) must fit in what it could offer — allocatable minus
 *   its reserve minus what its own (non-tenant) pods request; and the pods in
 *   each tenant namespace must fit in that lease's quota.
 *
 *   const clusters = new ClusterWatch()
 *   await clusters.sample(t, [{ name: 'drone-1', agent }])   // every second or so
 *   clusters.finish(t)
 *   clusters.maxExtraCopies, clusters.duplicateWindowsMs(), clusters.violations
 */
import type { Agent } from '../agent/system.ts'
import { milli, units } from '../agent/kube/quantity.ts'
import { tenantNamespace } from '../agent/kube/index.ts'
import { WORKLOAD_LABEL } from '../agent/delegation/kube.ts'
import { LOCAL_TENANT } from '../agent/delegation/wiring.ts'

interface Obj { metadata?: { name?: string, namespace?: string, labels?: Record<string, string> }, status?: { readyReplicas?: number, phase?: string }, spec?: { nodeName?: string, containers?: Array<{ resources?: { requests?: Record<string, string> } }>, initContainers?: unknown[] } }

type Res = { cpu: number, memory: number, pods: number }
const resNames = ['cpu', 'memory', 'pods'] as const

export interface Violation { t: number, agent: string, kind: 'granted-over-offer' | 'tenant-over-quota', detail: string }

export class ClusterWatch {
  /** most extra running copies of one workload seen at once */
  maxExtraCopies = 0
  /** samples taken, and agents whose cluster could not be read at some sample */
  samples = 0
  readErrors = 0
  readonly violations: Violation[] = []
  /** workload (Deployment name) → `agent/namespace` of every copy running at the last sample */
  private readonly where = new Map<string, Set<string>>()
  private readonly overlapSince = new Map<string, number>()
  private readonly overlapMs = new Map<string, number>()
  private busy = false

  /** Reads every given agent's cluster once; a sample still in progress makes this one a no-op. */
  async sample (t: number, agents: Array<{ name: string, agent: Agent }>): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const seen = new Map<string, Set<string>>()
      await Promise.all(agents.map(async ({ name, agent }) => {
        const server = agent.kube?.info().server
        if (server == null || agent.state !== 'running') return
        let deployments: Obj[]
        let pods: Obj[]
        try {
          [deployments, pods] = await Promise.all([
            list(`${server}/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(WORKLOAD_LABEL)}`),
            list(`${server}/api/v1/pods`)
          ])
        } catch {
          // an agent stopping under us; the next sample sees it gone
          this.readErrors++
          return
        }
        for (const d of deployments) {
          // keyed by the Deployment's name, which the simulator makes unique per submission: a relay in a
          // waterfall re-delegates under a workload ID of its own, but the manifests (and so the name) travel unchanged
          const id = d.metadata?.labels?.[WORKLOAD_LABEL] != null ? d.metadata?.name : undefined
          if (id == null || (d.status?.readyReplicas ?? 0) < 1) continue
          // one agent may run two copies, in two tenants' namespaces (two relays delegating to the same drone)
          const s = seen.get(id) ?? new Set<string>()
          s.add(`${name}/${d.metadata?.namespace ?? ''}`)
          seen.set(id, s)
        }
        this.checkLedger(t, name, agent, pods)
      }))
      this.samples++
      for (const s of seen.values()) this.maxExtraCopies = Math.max(this.maxExtraCopies, s.size - 1)
      for (const id of new Set([...seen.keys(), ...this.where.keys()])) {
        const n = seen.get(id)?.size ?? 0
        const since = this.overlapSince.get(id)
        if (n >= 2 && since == null) this.overlapSince.set(id, t)
        if (n < 2 && since != null) {
          this.overlapMs.set(id, (this.overlapMs.get(id) ?? 0) + t - since)
          this.overlapSince.delete(id)
        }
      }
      this.where.clear()
      for (const [id, s] of seen) this.where.set(id, s)
    } finally {
      this.busy = false
    }
  }

  /** Closes windows still open at the end of the run. */
  finish (t: number): void {
    for (const [id, since] of this.overlapSince) this.overlapMs.set(id, (this.overlapMs.get(id) ?? 0) + t - since)
    this.overlapSince.clear()
  }

  /** Running copies per agent at the last sample. */
  copiesByAgent (): Map<string, number> {
    const out = new Map<string, number>()
    for (const copies of this.where.values()) {
      for (const c of copies) {
        const a = c.slice(0, c.indexOf('/'))
        out.set(a, (out.get(a) ?? 0) + 1)
      }
    }
    return out
  }

  /** Per workload (name) that ever ran twice at once: how long (ms, at sampling resolution) it did. */
  duplicateWindowsMs (): Map<string, number> {
    return new Map(this.overlapMs)
  }

  private checkLedger (t: number, name: string, agent: Agent, pods: Obj[]): void {
    const peering = agent.peering
    const kube = agent.kube
    if (peering == null || kube == null) return
    const holding = peering.list({ role: 'provider' }).filter((l) => l.state === 'active' || l.state === 'grace')
    const byNs = new Map(holding.map((l) => [tenantNamespace(l.id), l]))
    const localNs = tenantNamespace(LOCAL_TENANT)
    const own: Res = { cpu: 0, memory: 0, pods: 0 }
    const perTenant = new Map<string, Res>()
    for (const p of pods) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue
      const ns = p.metadata?.namespace ?? 'default'
      const r = requestsOf(p)
      // tenant namespaces are skein-<lease>; skein-local holds this agent's own workloads
      const tenant = ns.startsWith('skein-') && ns !== localNs
      // the node's free capacity (what an offer is cut from) counts bound pods only; a tenant's quota counts them all
      if (!tenant && p.spec?.nodeName == null) continue
      const acc = tenant ? (perTenant.get(ns) ?? { cpu: 0, memory: 0, pods: 0 }) : own
      for (const k of resNames) acc[k] += r[k]
      if (tenant) perTenant.set(ns, acc)
    }
    for (const [ns, used] of perTenant) {
      const lease = byNs.get(ns)
      if (lease == null) continue
      for (const k of resNames) {
        if (used[k] > lease.quota[k]) this.violations.push({ t, agent: name, kind: 'tenant-over-quota', detail: `${ns}: pods request ${k} ${used[k]} > quota ${lease.quota[k]}` })
      }
    }
    const view = peering.offers.view()
    const allocatable = kube.capacity().allocatable
    const granted = view.granted
    // the waterfall (peering.reoffer): what it holds on others may back grants too, never more than those quotas
    const reoffer = (agent.config.peering as { reoffer?: boolean }).reoffer === true
    const heldQuota: Res = { cpu: 0, memory: 0, pods: 0 }
    if (reoffer) for (const l of peering.held()) for (const k of resNames) heldQuota[k] += l.quota[k]
    for (const k of resNames) {
      const offerable = view.share ? Math.max(0, allocatable[k] - view.reserve[k] - own[k]) + heldQuota[k] : 0
      if (granted[k] > offerable) this.violations.push({ t, agent: name, kind: 'granted-over-offer', detail: `granted ${k} ${granted[k]} > offerable ${offerable} (allocatable ${allocatable[k]} − reserve ${view.reserve[k]} − own pods ${own[k]}${reoffer ? ` + held ${heldQuota[k]}` : ''})` })
    }
  }
}

async function list (url: string): Promise<Obj[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  const body = await res.json() as { items?: Obj[] }
  return body.items ?? []
}

/** A pod's requests as the scheduler counts them: the sum over its containers (cpu in millicores, memory in bytes), and one pod. */
function requestsOf (p: Obj): Res {
  const r: Res = { cpu: 0, memory: 0, pods: 1 }
  for (const c of p.spec?.containers ?? []) {
    r.cpu += milli(c.resources?.requests?.cpu)
    r.memory += units(c.resources?.requests?.memory)
  }
  return r
}
