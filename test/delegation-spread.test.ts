// `--spread N`: N copies of a workload on N distinct clusters, one status for the operator, and a
// failover that moves only the copy whose cluster was lost.
import t from 'tap'
import { startAgent } from './helpers/agent.ts'
import { deploymentYaml, until } from './helpers/delegation.ts'
import type { WorkloadView } from '../agent/api/routes/workloads.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import type { ApiClient } from '../agent/client/index.ts'
import { ApiError } from '../agent/errors.ts'

const kube = { mode: 'embedded', embedded: { cpu: '4', memory: '8Gi', pods: 110 } }
const quota = { cpu: '1', memory: '1Gi', pods: 5, ephemeralStorage: '1Gi' }
const app = (name: string): string => deploymentYaml(name, 1, '100m', '64Mi').replace('memory: 64Mi }', 'memory: 64Mi, ephemeral-storage: 10Mi }')

async function poll (client: ApiClient, name: string, what: string, ok: (w: WorkloadView) => boolean, timeoutMs = 30_000): Promise<WorkloadView> {
  const deadline = Date.now() + timeoutMs
  let w = await client.get<WorkloadView>(`/v1/workloads/${name}`)
  while (!ok(w)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ phase: w.phase, copies: w.copies?.map((c) => [c.phase, c.target, c.lastError]) })}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    w = await client.get<WorkloadView>(`/v1/workloads/${name}`)
  }
  return w
}

t.test('three clusters: --spread 2 puts the copies on two of them, and losing one moves only that copy', async (t) => {
  const [b, c] = await Promise.all([
    startAgent(t, { kube, discovery: { mdns: false, dht: false } }),
    startAgent(t, { kube, discovery: { mdns: false, dht: false } })
  ])
  const bootstrap = [b, c].map((x) => x.agent.listenAddrs().find((a) => a.includes('/p2p/')) ?? '')
  // A's own cluster is the third candidate
  const a = await startAgent(t, { kube, discovery: { mdns: false, dht: false, bootstrap }, peering: { share: false }, delegation: { localCandidate: true, statusIdle: '3s', keepalive: '1s' } })
  await until(() => [b, c].every((x) => (a.agent.node?.getConnections(x.agent.node?.peerId).length ?? 0) > 0), 'connections to B and C', 20_000)
  for (const p of [b, c]) await a.client.post<LeaseView>('/v1/leases', { peer: p.agent.peerId, quota, duration: '1h' })

  const tooMany = await a.client.post('/v1/workloads', { manifests: app('x'), spread: 17 }).catch((err: ApiError) => err)
  t.equal((tooMany as ApiError).code, 'SKEIN_ERR_INVALID_REQUEST', 'more copies than allowed is refused')
  t.equal((await a.client.get<{ workloads: unknown[] }>('/v1/workloads')).workloads.length, 0, 'and nothing is stored')

  // as many copies as clusters: one on each
  await a.client.post<WorkloadView>('/v1/workloads', { manifests: app('all'), spread: 3 })
  const all = await poll(a.client, 'all', 'three copies to run', (w) => w.phase === 'running' && w.readyReplicas === 3)
  t.same(new Set(all.copies?.map((x) => x.target)), new Set([a.agent.peerId, b.agent.peerId, c.agent.peerId]), 'one copy on each of the three clusters')
  t.same(all.copies?.map((x) => x.name), ['all', 'all.2', 'all.3'])
  await a.client.delete('/v1/workloads/all')
  await poll(a.client, 'all', 'every copy of it to be cancelled', (w) => w.copies?.every((x) => x.phase === 'cancelled') === true)

  const submitted = await a.client.post<WorkloadView>('/v1/workloads', { manifests: app('web'), spread: 2, onDisconnect: 'failover', failoverAfter: '2s' })
  t.equal(submitted.spread, 2)
  t.equal(submitted.copies?.length, 2, 'two copies from the start')
  const running = await poll(a.client, 'web', 'both copies to run', (w) => w.phase === 'running' && w.copies?.every((x) => x.phase === 'running') === true && w.readyReplicas === 2)
  const targets = running.copies?.map((x) => x.target) ?? []
  t.equal(new Set(targets).size, 2, `on two distinct clusters (${targets.join(', ')})`)
  t.equal(running.ready, '2/2', 'readiness is summed over the copies')
  t.equal(running.podIps.length, 2)
  const candidates = [a.agent.peerId, b.agent.peerId, c.agent.peerId]
  t.ok(targets.every((x) => x != null && candidates.includes(x)))
  const list = await a.client.get<{ workloads: WorkloadView[] }>('/v1/workloads')
  t.same(list.workloads.map((w) => w.name).sort(), ['all', 'web'], 'the operator sees one workload per submission, not one per copy')

  // the scheduler's two best: the copies took the two best-scored candidates of the first decision
  const scored = (running.candidates ?? []).filter((x) => x.outcome === 'scored').sort((x, y) => (y.score ?? 0) - (x.score ?? 0))
  t.equal(scored.length, 3, 'all three clusters passed the filters')
  t.same(new Set(targets), new Set(scored.slice(0, 2).map((x) => x.target)), 'the copies are on the two best-scored')

  // lose the cluster of a copy that runs remotely
  const lost = running.copies?.find((x) => x.local !== true)
  const kept = running.copies?.find((x) => x !== lost)
  if (lost == null || kept == null) throw new Error('no remote copy')
  const lostAgent = [b, c].find((x) => x.agent.peerId === lost.target)
  await lostAgent?.agent.stop()
  const moved = await poll(a.client, 'web', 'the lost copy to run elsewhere', (w) => {
    const l = w.copies?.find((x) => x.name === lost.name)
    return l?.phase === 'running' && l.target !== lost.target && w.phase === 'running'
  }, 40_000)
  const l2 = moved.copies?.find((x) => x.name === lost.name)
  const k2 = moved.copies?.find((x) => x.name === kept.name)
  t.not(l2?.target, kept.target, 'the replacement is not put next to the other copy')
  t.ok(l2?.target != null && candidates.includes(l2.target) && l2.target !== lost.target, 'it went to the third cluster')
  t.equal(l2?.generation, lost.generation + 1, 'the lost copy got a new generation')
  t.equal(k2?.target, kept.target, 'the other copy did not move')
  t.equal(k2?.generation, kept.generation, 'nor change generation')
  t.equal(k2?.id, kept.id)

  const copyCancel = await a.client.delete(`/v1/workloads/${kept.name === 'web' ? 'web.2' : kept.name}`).catch((err: ApiError) => err)
  t.equal((copyCancel as ApiError).code, 'SKEIN_ERR_WORKLOAD_TRANSITION', 'one copy alone cannot be cancelled')
  t.equal((await a.client.get<WorkloadView>('/v1/workloads/web.2')).phase, 'running', 'and it keeps running')

  // cancel takes every copy down
  const cancelled = await a.client.delete<WorkloadView>('/v1/workloads/web')
  t.ok(cancelled.copies?.every((x) => x.phase === 'cancelling' || x.phase === 'cancelled'), 'every copy is being cancelled')
})

t.test('a spread never overwrites a live workload that happens to carry a copy\'s name', async (t) => {
  const { FakeLeases, startAgent: startDelegation } = await import('./helpers/delegation.ts')
  const a = await startDelegation(t, { name: 'a', leases: new FakeLeases(), local: true })
  const other = a.delegation.submit({ manifests: deploymentYaml('web.2', 1) })
  t.throws(() => a.delegation.submit({ manifests: deploymentYaml('web', 1), spread: 3 }), { name: 'WorkloadExistsError', message: /web\.2/ })
  t.equal(a.delegation.get('web.2').id, other.id, 'the other workload is untouched')
  t.throws(() => a.delegation.get('web'), 'and nothing of the refused submission was stored')
})
