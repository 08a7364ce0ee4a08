/**
 * Tenant isolation on /skein/delegate/1.0.0 and /skein/delegate-status/1.0.0
 * (issue 10, item 4): a consumer cannot cancel, list or watch another
 * consumer's workload on a shared provider; the sanitizer refuses RBAC
 * bindings (a ClusterRoleBinding to cluster-admin is the classic escape).
 */
import t from 'tap'
import { FakeLeases, startAgent, introduce, untilPhase, until, deploymentYaml } from './helpers/delegation.ts'
import { DELEGATE_PROTOCOL, STATUS_PROTOCOL, request, subscribe, Phase } from '../protocol/delegation/index.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { sanitizeManifest } from '../agent/kube/sanitize.ts'

t.test('a consumer cannot cancel, list or watch another consumer\'s workload', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  const c = await startAgent(t, { name: 'c', leases })
  await introduce(a, b, c)
  leases.grant('lease-ab', a.peerId, b.peerId)
  leases.grant('lease-cb', c.peerId, b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  await untilPhase(a, 'web', 'running')
  t.equal(b.backend.copies(w.id), 1)

  // c knows a's workload id (it is no secret) and cancels it with a fence far ahead
  const cancel = await request(await c.node.dialProtocol(peerIdFromString(b.peerId), DELEGATE_PROTOCOL), { cancel: { workloadId: w.id, generation: 1_000_000, fence: 1_000_000 } })
  t.notOk(cancel.cancelAck?.removed === true, 'nothing removed for c')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(b.backend.copies(w.id), 1, 'a\'s copy still runs on the provider')
  const mine = b.delegation.hosted().filter((h) => h.consumer === a.peerId)
  t.equal(mine.length, 1)
  t.equal(mine[0]?.phase, Phase.RUNNING, 'a\'s workload untouched')
  t.equal((await untilPhase(a, 'web', 'running')).phase, 'running')

  // c's resync lists only what c has on b: never a's workload
  const resync = await request(await c.node.dialProtocol(peerIdFromString(b.peerId), DELEGATE_PROTOCOL), { resync: {} })
  t.same(resync.resync?.workloads.map((x) => x.workloadId) ?? [], [], 'c sees none of a\'s workloads')

  // c subscribes to status as a: the provider aborts the stream
  const s = await c.node.dialProtocol(peerIdFromString(b.peerId), STATUS_PROTOCOL)
  await subscribe(s, a.peerId)
  await until(() => s.status !== 'open' || s.readStatus === 'closed' ? true : undefined, 'the spoofed status subscription to be refused', 5000)
  t.not(s.status, 'open', 'a status subscription for another consumer is refused')
  s.abort(new Error('done'))
})

t.test('a manifest the tenant policy forbids is refused before it is acknowledged: nothing stored, nothing applied', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases, tenantPolicy: true })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  const journalBefore = b.store.all<{ n: number }>("SELECT COUNT(*) AS n FROM journal")[0]?.n
  const escapes: Array<[string, string]> = [
    ['privileged', deploymentYaml('priv', 1).replace('image:', 'securityContext: { privileged: true }\n          image:')],
    ['hostNetwork', deploymentYaml('hostnet', 1).replace('containers:', 'hostNetwork: true\n      containers:')]
  ]
  for (const [what, yaml] of escapes) {
    const name = yaml.match(/name: (\S+)/)?.[1] ?? ''
    a.delegation.submit({ manifests: yaml })
    const w = await untilPhase(a, name, 'failed')
    t.match(w.lastError ?? '', /INVALID_MANIFEST: \[0\]spec\.template\.spec.*refused by this cluster's tenant policy: .*not allowed/, `${what}: the consumer is told why, naming the field`)
  }
  t.same(b.delegation.hosted().filter((h) => h.consumer === a.peerId && h.generation > 0), [], 'the provider holds none of them')
  t.equal(b.backend.copies(a.delegation.get('priv').id), 0, 'nothing applied')
  t.equal(b.store.all<{ n: number }>("SELECT COUNT(*) AS n FROM journal")[0]?.n, journalBefore, 'nothing journaled on the provider')
})

t.test('Cancels for workloads never held here keep a bounded number of fences per consumer', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases, init: { maxTombstones: 20 } })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('kept', 1) })
  await untilPhase(a, 'kept', 'running')
  for (let i = 0; i < 60; i++) {
    const answer = await request(await a.node.dialProtocol(peerIdFromString(b.peerId), DELEGATE_PROTOCOL), { cancel: { workloadId: `never-${String(i).padStart(3, '0')}`, generation: 1, fence: 1 } })
    t.ok(answer.cancelAck != null, `cancel ${i} is answered`)
  }
  const tombs = b.delegation.hosted().filter((h) => h.consumer === a.peerId && h.generation === 0)
  t.equal(tombs.length, 20, 'no more fences than the bound')
  t.ok(tombs.every((h) => h.workloadId >= 'never-040'), 'the newest fences are the ones kept')
  t.equal(b.delegation.hosted().find((h) => h.workloadId === w.id)?.phase, Phase.RUNNING, 'the workload that runs is untouched')
  const latest = await request(await a.node.dialProtocol(peerIdFromString(b.peerId), DELEGATE_PROTOCOL), { cancel: { workloadId: 'never-059', generation: 1, fence: 5 } })
  t.equal(latest.cancelAck?.fence, 5, 'a kept fence still works')
})

t.test('RBAC bindings are refused by the sanitizer, cluster-wide or in the tenant namespace', async (t) => {
  const ns = 'skein-tenant-0123456789ab'
  for (const kind of ['ClusterRoleBinding', 'RoleBinding', 'Role']) {
    const m = { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }] }
    t.throws(() => sanitizeManifest(m, { namespace: ns }), { name: 'ManifestRejectedError', field: 'kind' }, `a ${kind} is refused`)
  }
})
