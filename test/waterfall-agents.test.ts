import t from 'tap'
import { createServer, type AddressInfo } from 'node:net'
import { peerIdFromString } from '@libp2p/peer-id'
import { startAgent } from './helpers/agent.ts'
import { deploymentYaml, until } from './helpers/delegation.ts'
import type { Agent } from '../agent/system.ts'
import type { WorkloadView } from '../agent/api/routes/workloads.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import type { KnownOfferView } from '../agent/api/routes/offers.ts'
import { Phase } from '../protocol/pb/delegate.js'
import { DELEGATE_PROTOCOL, RejectReason as DelegateReject, request, sealDelegate } from '../protocol/delegation/index.ts'
import { parseResources, fits, sum, zero, type Resources } from '../protocol/peering/index.ts'

const discovery = (bootstrap: string[] = []) => ({ mdns: false, dht: false, bootstrap })
const addrOf = (a: Agent): string[] => a.listenAddrs().filter((x) => x.includes('/p2p/')).slice(0, 1)
const cpuOf = (o: KnownOfferView): number => parseResources({ cpu: o.resources.cpu }).cpu

async function freePort (): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => { srv.listen(0, '127.0.0.1', resolve) })
  const port = (srv.address() as AddressInfo).port
  await new Promise((resolve) => { srv.close(resolve) })
  return port
}

async function poll<T> (fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (ok(v) || Date.now() > deadline) return v
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function connected (from: Agent, to: Agent): Promise<void> {
  await until(() => (from.node?.getConnections(to.node?.peerId).length ?? 0) > 0, 'a connection', 20_000)
}

t.test('a waterfall A→B→C: B lends on what it holds on C, passes A\'s workload on, status and cancel flow along the path, loops are refused', async (t) => {
  // C: the provider with room; B: a relay with a small cluster of its own, re-offering; A: a ground station that only consumes
  const c = await startAgent(t, { kube: { mode: 'embedded', embedded: { cpu: '4', memory: '8Gi', pods: 110 } }, discovery: discovery() })
  // B keeps its port across the restart below, so A and C find it where it was
  const bConfig = {
    listen: [`/ip4/127.0.0.1/tcp/${await freePort()}`],
    kube: { mode: 'embedded', embedded: { cpu: '500m', memory: '1Gi', pods: 20 } },
    discovery: discovery(addrOf(c.agent)),
    peering: { reoffer: true },
    delegation: { retryMax: '2s' }
  }
  let b = await startAgent(t, bConfig)
  const a = await startAgent(t, { kube: { mode: 'embedded' }, discovery: discovery(addrOf(b.agent)), peering: { share: false }, delegation: { localCandidate: false, retryMax: '2s' } })
  const [A, B, C] = [a.agent.peerId, b.agent.peerId, c.agent.peerId]
  await connected(b.agent, c.agent)
  await connected(a.agent, b.agent)

  // B holds a lease on C
  const onC = await b.client.post<LeaseView>('/v1/leases', { peer: C, quota: { cpu: '2', memory: '2Gi', pods: 10, ephemeralStorage: '1Gi' }, duration: '1h' })
  t.equal(onC.state, 'active')

  // 1. B's offer: to A it carries C's capacity with the path [C, B]; to C (split horizon) only B's own share
  const toA = await a.client.post<KnownOfferView>('/v1/offers/query', { peer: B })
  const toC = await c.client.post<KnownOfferView>('/v1/offers/query', { peer: B })
  t.same(toA.path, [C, B], 'the re-offer carries the path it came along')
  t.same(toC.path, [B], 'C is offered nothing that came from C')
  t.equal(cpuOf(toA), cpuOf(toC) + 2000, 'A is offered B\'s own share plus the 2 cpu B holds on C')

  // 2. A peers with B on the re-offered capacity; B never grants more than it can back
  const bPeering = b.agent.peering
  if (bPeering == null) throw new Error('B has no peering')
  const onB = await a.client.post<LeaseView>('/v1/leases', { peer: B, quota: { cpu: '2', memory: '1Gi', pods: 5, ephemeralStorage: '512Mi' }, duration: '1h' })
  t.equal(onB.state, 'active')
  const granted = bPeering.list({ role: 'provider' }).find((l) => l.id === onB.id)
  t.ok(granted?.backing?.via.some((v) => v.leaseId === onC.id), 'the grant is backed in part by B\'s lease on C')
  const takes = sum(bPeering.list({ role: 'provider' }).flatMap((l) => l.backing?.via ?? []).map((v) => v.take))
  t.ok(fits(takes, parseResources({ cpu: '2', memory: '2Gi', pods: 10, ephemeralStorage: '1Gi' })), 'what is lent on of the lease on C fits its quota')
  const view = bPeering.offerView()
  t.ok(fits(view.granted, view.pool), `no overcommit: granted cpu ${view.granted.cpu} ≤ pool cpu ${view.pool.cpu}`)
  await t.rejects(a.agent.peering?.request(B, { ...zero(), cpu: 4000 } satisfies Resources, { min: { ...zero(), cpu: 4000 } }) ?? Promise.reject(new Error('no peering')),
    { name: 'InsufficientCapacityError' }, 'asking B for more than it can back is refused')

  // A delegates to B; B's cluster cannot take 2 × 400m, so B passes it on under its lease on C
  const manifests = deploymentYaml('web', 2, '400m', '64Mi').replace('memory: 64Mi }', 'memory: 64Mi, ephemeral-storage: 10Mi }')
  const submitted = Date.now()
  await a.client.post<WorkloadView>('/v1/workloads', { manifests })
  const listed = async (): Promise<WorkloadView | undefined> => (await a.client.get<{ workloads: WorkloadView[] }>('/v1/workloads')).workloads.find((x) => x.name === 'web')
  const running = await poll(listed, (w) => w?.phase === 'running' && w.readyReplicas === 2 && w.placement?.via != null, 30_000)
  t.comment(`submit on A → running on C, seen on A: ${Date.now() - submitted} ms (200 ms polling)`)
  t.equal(running?.phase, 'running', `A sees it running (last error: ${running?.lastError ?? '-'})`)
  t.equal(running?.readyReplicas, 2, 'with the ready replicas C reports')
  t.equal(running?.placement?.target, B, 'placed on B')
  t.equal(running?.placement?.leaseId, onB.id)
  t.same(running?.placement?.via, [C], 'and run by C: the chain A→B→C')
  const onCHosted = c.agent.delegation?.hosted() ?? []
  t.equal(onCHosted.length, 1)
  t.equal(onCHosted[0]?.phase, Phase.RUNNING, 'running on C')
  t.same(onCHosted[0]?.path, [A, B], 'C got it along the path [A, B]')
  t.equal(onCHosted[0]?.consumer, B, 'as B\'s tenant')
  t.equal(onCHosted[0]?.leaseId, onC.id, 'under B\'s lease on C')
  const tenants = await c.agent.kube?.listTenants()
  t.ok(tenants?.some((x) => x.namespace === onCHosted[0]?.tenantNs && x.leaseId === onC.id), 'in the tenant namespace of B\'s lease')
  const onBHosted = b.agent.delegation?.hosted() ?? []
  t.same(onBHosted[0]?.via, [C], 'B reports where it passed it on')
  const bPods = await b.agent.kube?.workloadStatus(onBHosted[0]?.tenantNs ?? '', { kind: 'Deployment', name: 'web' }).catch((err: Error) => err)
  t.ok(bPods instanceof Error || bPods?.pods.length === 0, 'nothing of it runs on B')
  const bUse = b.agent.peering?.heldCapacity().find((h) => h.leaseId === onC.id)
  t.ok(bUse != null && bUse.reoffered.cpu >= 800, 'B counts the relayed workload against its lease on C')

  // B restarts from its state directory: the workload stays where it runs, nothing is placed twice, status reaches A again
  const acceptedOnC = onCHosted[0]?.acceptedAt
  await b.agent.stop()
  const restartedAt = Date.now()
  b = await startAgent(t, bConfig, b.dir)
  const again = await poll(listed, (w) => w?.phase === 'running' && w.statusAt != null && Date.parse(w.statusAt) >= restartedAt, 30_000)
  t.equal(again?.phase, 'running', 'A hears from B again after its restart')
  t.same(again?.placement?.via, [C], 'still run by C')
  t.equal(again?.generation, 1, 'never placed again')
  const afterRestart = c.agent.delegation?.hosted() ?? []
  t.equal(afterRestart.length, 1, 'C still holds one copy')
  t.equal(afterRestart[0]?.acceptedAt, acceptedOnC, 'the same one')
  t.equal(b.agent.delegation?.list().filter((w) => w.relay != null && w.phase !== 'cancelled').length, 1, 'B passes it on once')

  // cancel on A goes down the chain
  await a.client.delete('/v1/workloads/web')
  await until(() => b.agent.delegation?.hosted()[0]?.phase === Phase.CANCELLED, 'B to drop it', 20_000)
  await until(() => c.agent.delegation?.hosted()[0]?.phase === Phase.CANCELLED, 'C to remove it', 20_000)
  const cPods = await c.agent.kube?.workloadStatus(onCHosted[0]?.tenantNs ?? '', { kind: 'Deployment', name: 'web' }).catch((err: Error) => err)
  t.ok(cPods instanceof Error || cPods?.pods.length === 0, 'its pods are gone from C')
  let cancelled: WorkloadView | undefined
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    cancelled = await a.client.get<WorkloadView>('/v1/workloads/web')
    if (cancelled.phase === 'cancelled') break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(cancelled?.phase, 'cancelled', 'A sees it cancelled')

  // loops: C, asking on B's behalf for capacity that started at A, and a Delegate coming back to A, are refused and counted
  const aNode = a.agent.node
  const cNode = c.agent.node
  const aMetrics = a.agent.metrics
  const cKey = c.agent.identity?.privateKey
  if (aNode == null || cNode == null || aMetrics == null || cKey == null) throw new Error('agents not started')
  await cNode.peerStore.merge(aNode.peerId, { multiaddrs: aNode.getMultiaddrs() })
  await t.rejects(c.agent.peering?.request(A, { ...zero(), cpu: 100 }, { path: [A, B, C] }) ?? Promise.reject(new Error('no peering')), { name: 'LoopDetectedError' })
  t.match(await aMetrics.registry.metrics(), /skein_peering_rejects_total\{reason="LOOP"\} 1/, 'the peering loop is counted on A')
  const delegate = await sealDelegate(cKey, {
    workloadId: 'loop1', generation: 1, name: 'loop', manifests: new TextEncoder().encode(manifests),
    path: [A, B, C], hopLimit: 4, leaseId: onB.id, consumer: A, provider: A
  }, Date.now())
  const res = await request(await cNode.dialProtocol(peerIdFromString(A), DELEGATE_PROTOCOL), { delegate })
  t.equal(res.reject?.reason, DelegateReject.LOOP, 'a Delegate whose path holds the receiver is refused')
  t.match(await aMetrics.registry.metrics(), /skein_delegation_provider_answers_total\{outcome="LOOP"\} 1/, 'and counted')
  t.equal(a.agent.delegation?.hosted().length, 0, 'A hosts nothing')
})
