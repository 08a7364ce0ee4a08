/**
 * Delegation benchmark: real libp2p nodes on loopback TCP (Noise, yamux),
 * real stores (SQLite, synchronous=FULL), the delegation protocol end to end,
 * and an in-memory workloads backend on the providers (so the figures are the
 * delegation path — journal, outbox, signing, streams, provider write-before-
 * ack — not a Kubernetes API server).
 *
 *   npm run bench -- delegation --json [--n 200] [--burst 300] [--failover-after 10s]
 *
 * applyP50Ms / applyP99Ms: submit → apply called on the provider, one at a time.
 * delegationsPerS: a burst of submissions to one provider, until all are applied.
 * failoverS: link cut (connections closed, redials refused) → the replacement
 * running on another provider, with the configured failoverAfter beside it and
 * the agents' default timings otherwise.
 * lost: accepted workloads not running exactly once at the end (must be 0).
 */
import { parseDuration } from '../agent/config/duration.ts'
import { FakeLeases, startAgent, introduce, cut, type TestAgent } from '../test/helpers/delegation.ts'
import type { DelegationInit } from '../agent/delegation/index.ts'
import type { Manifest } from '../protocol/delegation/manifests.ts'
import type { WorkloadMeta } from '../agent/delegation/index.ts'

const defaults: DelegationInit = { retryBaseMs: 500, retryMaxMs: 30_000, tickMs: 1000, statusIdleMs: 15_000, keepaliveMs: 5000, reconnectBaseMs: 500, reclaimCheckMs: 5000, giveUpAfterMs: 60_000 }

const yaml = (name: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: main
          image: nginx:1.27
          resources: { requests: { cpu: 10m, memory: 16Mi } }
`

function arg (args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] != null ? args[i + 1] as string : def
}

function pct (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] as number
}

async function until (fn: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now()
  while (!fn()) {
    if (Date.now() - start > timeoutMs) throw new Error('benchmark step timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Wraps the provider's backend apply to note when each workload got there. */
function onApply (a: TestAgent, cb: (meta: WorkloadMeta) => void): void {
  const orig = a.backend.apply.bind(a.backend)
  a.backend.apply = async (ns: string, m: Manifest[], meta: WorkloadMeta) => { cb(meta); await orig(ns, m, meta) }
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const n = Number(arg(args, 'n', '200'))
  const burst = Number(arg(args, 'burst', '300'))
  const failoverAfter = arg(args, 'failover-after', '10s')
  const failoverAfterMs = parseDuration(failoverAfter) ?? 10_000
  const cleanups: Array<() => unknown> = []
  const t = { teardown: (fn: () => unknown) => { cleanups.push(fn) } }
  try {
    const leases = new FakeLeases()
    const a = await startAgent(t, { name: 'a', leases, init: defaults })
    const b = await startAgent(t, { name: 'b', leases, init: defaults })
    const c = await startAgent(t, { name: 'c', leases, init: defaults })
    await introduce(a, b, c)
    leases.grant('lease-ab', a.peerId, b.peerId, { cpu: '1000', memory: '1Ti', pods: 100_000 })
    // c is the spare: a worse link, so placements go to b until b is cut
    a.links.set(c.peerId, { state: 'alive', rttMs: 150, loss: 0.01, bandwidthBps: 1e6, etx: 1.2 })
    const applied = new Map<string, number>()
    onApply(b, (meta) => { if (!applied.has(meta.workloadId)) applied.set(meta.workloadId, performance.now()) })
    const cApplied = new Map<string, number>()
    onApply(c, (meta) => { if (!cApplied.has(meta.workloadId)) cApplied.set(meta.workloadId, performance.now()) })

    process.stderr.write(`apply latency: ${n} sequential submissions\n`)
    // warm up the connection and the code paths
    for (let i = 0; i < 5; i++) {
      const w = a.delegation.submit({ name: `warm-${i}`, manifests: yaml(`warm-${i}`) })
      await until(() => applied.has(w.id), 30_000)
    }
    const lat: number[] = []
    for (let i = 0; i < n; i++) {
      const start = performance.now()
      const w = a.delegation.submit({ name: `seq-${i}`, manifests: yaml(`seq-${i}`) })
      await until(() => applied.has(w.id), 30_000)
      lat.push((applied.get(w.id) as number) - start)
    }
    lat.sort((x, y) => x - y)

    process.stderr.write(`throughput: a burst of ${burst} to one provider\n`)
    const t0 = performance.now()
    const ids: string[] = []
    for (let i = 0; i < burst; i++) ids.push(a.delegation.submit({ name: `burst-${i}`, manifests: yaml(`burst-${i}`) }).id)
    await until(() => ids.every((id) => applied.has(id)), 120_000)
    const burstS = (performance.now() - t0) / 1000

    process.stderr.write(`failover: failoverAfter ${failoverAfter}\n`)
    leases.grant('lease-ac', a.peerId, c.peerId, { cpu: '1000', memory: '1Ti', pods: 100_000 })
    a.delegation.submit({ name: 'fo', manifests: yaml('fo'), onDisconnect: 'failover', failoverAfterMs })
    await until(() => a.delegation.get('fo').phase === 'running', 30_000)
    const cutAt = performance.now()
    await cut(a, b)
    await until(() => { const x = a.delegation.get('fo'); return x.phase === 'running' && x.placement?.target === c.peerId }, failoverAfterMs + 60_000)
    const failoverS = (performance.now() - cutAt) / 1000

    // lost: every workload a accepted runs exactly once (b keeps its copies through the cut)
    const all = a.delegation.list()
    let lost = 0
    for (const w of all) {
      const copies = b.backend.copies(w.id) + c.backend.copies(w.id)
      const expected = w.name === 'fo' ? 2 : 1 // the fenced copy on b stays until b is reachable again
      if (copies < 1 || copies > expected) lost++
    }
    return {
      machine: `${(await import('node:os')).cpus().length} cores`,
      backend: 'in-memory (delegation path only)',
      transport: 'libp2p TCP loopback, Noise, yamux',
      n,
      applyP50Ms: Math.round(pct(lat, 50) * 100) / 100,
      applyP99Ms: Math.round(pct(lat, 99) * 100) / 100,
      burst,
      delegationsPerS: Math.round(burst / burstS),
      failoverS: Math.round(failoverS * 100) / 100,
      failoverAfter,
      workloads: all.length,
      lost
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn()
  }
}
