import t from 'tap'
import { startAgent } from './helpers/agent.ts'
import { deploymentYaml, until } from './helpers/delegation.ts'
import type { WorkloadView } from '../agent/api/routes/workloads.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import { Phase } from '../protocol/pb/delegate.js'

const kube = { mode: 'embedded', embedded: { cpu: '4', memory: '8Gi', pods: 110 } }

t.test('two full agents: a workload submitted on A runs in B\'s tenant namespace on B\'s cluster, status back at A', async (t) => {
  const b = await startAgent(t, { kube, discovery: { mdns: false, dht: false } })
  const bootstrap = b.agent.listenAddrs().filter((x) => x.includes('/p2p/')).slice(0, 1)
  const a = await startAgent(t, { kube, discovery: { mdns: false, dht: false, bootstrap }, peering: { share: false }, delegation: { localCandidate: false } })
  await until(() => (a.agent.node?.getConnections(b.agent.node?.peerId).length ?? 0) > 0, 'a connection', 20_000)
  const lease = await a.client.post<LeaseView>('/v1/leases', { peer: b.agent.peerId, quota: { cpu: '1', memory: '1Gi', pods: 5, ephemeralStorage: '1Gi' }, duration: '1h' })
  t.equal(lease.state, 'active')

  const tooBig = await a.client.post<WorkloadView>('/v1/workloads', { manifests: deploymentYaml('big', 2, '2', '64Mi') })
  t.equal(tooBig.phase, 'failed', 'more than the lease holds: placed nowhere')
  const d = await a.client.get<WorkloadView>('/v1/workloads/big')
  t.match(d.candidates?.[0]?.explanation ?? '', /filtered out: needs cpu=4 .*lease has cpu=1/)

  // the tenant's ResourceQuota covers ephemeral storage too, so the pods ask for some
  await a.client.post<WorkloadView>('/v1/workloads', { manifests: deploymentYaml('web', 2, '100m', '64Mi').replace('memory: 64Mi }', 'memory: 64Mi, ephemeral-storage: 10Mi }') })
  const running = await (async () => {
    for (let i = 0; i < 150; i++) {
      const w = await a.client.get<WorkloadView>('/v1/workloads/web')
      if (w.phase === 'running' && w.readyReplicas === 2) return w
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    return await a.client.get<WorkloadView>('/v1/workloads/web')
  })()
  t.equal(running.phase, 'running', `phase (last error: ${running.lastError ?? '-'})`)
  t.equal(running.placement?.target, b.agent.peerId)
  t.equal(running.placement?.leaseId, lease.id)
  t.equal(running.podIps.length, 2)
  const hosted = b.agent.delegation?.hosted() ?? []
  t.equal(hosted.length, 1)
  t.equal(hosted[0]?.phase, Phase.RUNNING)
  const tenants = await b.agent.kube?.listTenants()
  t.ok(tenants?.some((x) => x.namespace === hosted[0]?.tenantNs && x.leaseId === lease.id), 'in the lease\'s tenant namespace')

  await a.client.delete('/v1/workloads/web')
  await until(() => b.agent.delegation?.hosted()[0]?.phase === Phase.CANCELLED, 'the provider to remove it', 20_000)
  const status = await b.agent.kube?.workloadStatus(hosted[0]?.tenantNs ?? '', { kind: 'Deployment', name: 'web' }).catch((err: Error) => err)
  t.ok(status instanceof Error || status?.pods.length === 0, 'its pods are gone from B')
})
