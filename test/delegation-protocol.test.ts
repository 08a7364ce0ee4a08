import t from 'tap'
import { FakeLeases, startAgent, introduce, untilPhase, until, deploymentYaml, cut, heal } from './helpers/delegation.ts'
import { Phase } from '../protocol/pb/delegate.js'

t.test('a workload delegated between two real nodes runs once on the provider and reports running back', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 2) })
  t.equal(w.phase, 'placing', 'placed on submission')
  t.equal(w.placement?.target, b.peerId)
  const running = await untilPhase(a, 'web', 'running')
  t.equal(running.status?.readyReplicas, 2)
  t.same(running.status?.podIps, ['10.42.0.5'])
  t.equal(b.backend.copies(w.id), 1, 'exactly one copy on the provider')
  const hosted = b.delegation.hosted()
  t.equal(hosted.length, 1)
  t.equal(hosted[0]?.phase, Phase.RUNNING)
  t.match(hosted[0]?.tenantNs, /^skein-tenant-[0-9a-f]{12}$/)
})

t.test('a refused delegation (no lease on the provider) is placed nowhere and says why', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  const l = leases.grant('lease-ab', a.peerId, b.peerId)
  // the provider forgets the lease: it must refuse
  const bView = leases.viewFor(b.peerId)
  b.delegation.provider['c'].leases = { held: () => [], get: (id: string) => id === 'none' ? bView.get(id) : undefined }
  a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  const failed = await untilPhase(a, 'web', 'failed')
  t.match(failed.lastError, /NO_LEASE/)
  t.equal(b.backend.copies(failed.id), 0)
  t.ok(l)
})

t.test('cancel removes the copy from the provider', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  await untilPhase(a, 'web', 'running')
  a.delegation.cancel('web')
  await untilPhase(a, 'web', 'cancelled')
  await until(() => b.backend.copies(w.id) === 0, 'the provider to remove it')
  t.equal(b.delegation.hosted()[0]?.phase, Phase.CANCELLED)
})

t.test('a link cut mid-delegation ends with exactly one running copy after reconnect (keep)', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  // the provider accepts and writes, then the link drops before the Ack gets back
  let cutOnce = false
  b.delegation.provider['init'].afterWrite = async () => {
    if (cutOnce) return
    cutOnce = true
    await cut(a, b)
    throw new Error('link cut before the Ack')
  }
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1), onDisconnect: 'keep' })
  await untilPhase(a, 'web', 'disconnected')
  t.ok(a.delegation.get('web').disconnectedSince, 'shows since when it is disconnected')
  heal(a, b)
  await untilPhase(a, 'web', 'running')
  await b.delegation.provider.settled()
  t.equal(b.backend.copies(w.id), 1, 'one copy')
  t.equal(b.delegation.hosted().length, 1)
})
