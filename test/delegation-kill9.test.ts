// Crash safety of the consumer: a real `skein agent` process accepts a workload, is killed with
// SIGKILL right after answering, restarts on the same state directory, and still brings the
// workload to Running on the provider — with exactly one copy there.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnAgent, startAgent, tempDir, waitForExit } from './helpers/agent.ts'
import { deploymentYaml } from './helpers/delegation.ts'
import { ApiClient } from '../agent/client/index.ts'
import type { WorkloadView } from '../agent/api/routes/workloads.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import { Phase } from '../protocol/pb/delegate.js'

const kube = { mode: 'embedded', embedded: { cpu: '4', memory: '8Gi', pods: 110 } }

async function poll<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (err) { last = err }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}${last != null ? ` (last error: ${(last as Error).message})` : ''}`)
}

t.test('a consumer killed with SIGKILL right after accepting a workload still tracks it to Running, one copy', async (t) => {
  const b = await startAgent(t, { kube, discovery: { mdns: false, dht: false } })
  const bootstrap = b.agent.listenAddrs().filter((x) => x.includes('/p2p/')).slice(0, 1)
  const dir = tempDir(t)
  const config = join(dir, 'skein.yaml')
  writeFileSync(config, JSON.stringify({ discovery: { mdns: false, dht: false, bootstrap }, peering: { share: false }, delegation: { localCandidate: false }, kube }))
  const args = ['--config', config, '--log-level', 'warn']

  const t0 = Date.now()
  const first = await spawnAgent(t, dir, args)
  t.comment(`first up ${Date.now() - t0} ms`)
  const a = new ApiClient({ address: first.api })
  const lease = await poll('a lease on B', async () => await a.post<LeaseView>('/v1/leases', { peer: b.agent.peerId, quota: { cpu: '1', memory: '1Gi', pods: 5, ephemeralStorage: '1Gi' }, duration: '1h' }), 30_000)
  t.equal(lease.state, 'active')

  const manifests = deploymentYaml('web', 2, '100m', '64Mi').replace('memory: 64Mi }', 'memory: 64Mi, ephemeral-storage: 10Mi }')
  const accepted = await a.post<WorkloadView>('/v1/workloads', { manifests })
  // the answer came: the workload is in the journal. Kill at once, before anything else can happen.
  first.child.kill('SIGKILL')
  t.same(await waitForExit(first.child, 10_000), { code: null, signal: 'SIGKILL' })
  t.equal(accepted.name, 'web')

  t.comment(`killed ${Date.now() - t0} ms`)
  const second = await spawnAgent(t, dir, args)
  t.comment(`second up ${Date.now() - t0} ms`)
  const again = new ApiClient({ address: second.api })
  const after = await again.get<WorkloadView>('/v1/workloads/web')
  t.equal(after.id, accepted.id, 'the restarted agent knows the workload it accepted')
  t.equal(after.generation, accepted.generation)

  const running = await poll('web to run on B', async () => {
    const w = await again.get<WorkloadView>('/v1/workloads/web')
    return w.phase === 'running' && w.readyReplicas === 2 ? w : undefined
  }, 40_000)
  t.comment(`running ${Date.now() - t0} ms`)
  t.equal(running.placement?.target, b.agent.peerId, 'placed on B')
  t.equal(running.placement?.leaseId, lease.id)
  t.equal(running.generation, 1, 'no second generation was made')
  t.same(running.fenced, [], 'nothing to fence: one placement only')

  const held = (b.agent.delegation?.hosted() ?? []).filter((h) => h.workloadId === accepted.id)
  t.equal(held.length, 1, 'B holds the workload once')
  t.equal(held[0]?.phase, Phase.RUNNING)
  const tenants = await b.agent.kube?.listTenants() ?? []
  let deployments = 0
  let pods = 0
  for (const ns of tenants.map((x) => x.namespace)) {
    const s = await b.agent.kube?.workloadStatus(ns, { kind: 'Deployment', name: 'web' }).catch(() => undefined)
    if (s != null) { deployments++; pods += s.pods.length }
  }
  t.equal(deployments, 1, 'exactly one copy on B\'s cluster')
  t.equal(pods, 2, 'with its two pods')

  second.child.kill('SIGTERM')
  await waitForExit(second.child, 15_000)
})
