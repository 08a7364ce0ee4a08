import t from 'tap'
import { FakeLeases, startAgent, introduce, untilPhase, until, deploymentYaml, cut, heal } from './helpers/delegation.ts'
import { Phase, RejectReason } from '../protocol/pb/delegate.js'
import { sealDelegate } from '../protocol/delegation/index.ts'

t.test('the outbox keeps retrying with backoff, survives a consumer restart, and delivers once the provider is back', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  await cut(a, b)
  // telemetry still calls b alive (it has not noticed yet): the placement goes there and cannot be sent
  a.links.delete(b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  const row = await until(() => a.delegation.db.outbox().find((m) => m.kind === 'delegate' && m.attempts >= 2), 'two failed attempts')
  t.ok(row.nextAt > row.created, 'the next attempt waits')
  t.match(row.lastError, /reach|denied|dial|gate/i)

  await a.restart()
  t.equal(a.delegation.get('web').id, w.id, 'the workload is reloaded')
  t.ok(a.delegation.db.outbox().some((m) => m.kind === 'delegate' && m.workloadId === w.id), 'the outbox is reloaded')
  heal(a, b)
  await untilPhase(a, 'web', 'running')
  t.equal(b.backend.copies(w.id), 1)
  t.equal(a.delegation.db.outbox().length, 0, 'the outbox is empty once delivered')
})

t.test('the provider writes before it acks: killed between write and ack, it has the workload on restart and answers the retry idempotently', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  let crashed: Promise<void> | undefined
  b.delegation.provider['init'].afterWrite = () => {
    // the process dies here: nothing after the durable write happens, the Ack never leaves
    crashed ??= (async () => { await new Promise((resolve) => setImmediate(resolve)); await b.restart() })()
    throw new Error('killed')
  }
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  await until(() => crashed, 'the provider to crash after its write')
  await crashed
  const hosted = b.delegation.hosted()
  t.equal(hosted.length, 1, 'the workload is in the provider\'s store after the restart')
  t.equal(hosted[0]?.workloadId, w.id)
  await untilPhase(a, 'web', 'running')
  t.equal(b.backend.copies(w.id), 1, 'one copy')
  t.equal(b.backend.applies, 1, 'applied once')
  t.equal(b.delegation.hosted()[0]?.phase, Phase.RUNNING)
  // the provider's status report can reach the consumer before the Ack of the retry does
  await until(() => a.delegation.get('web').placement?.ackedAt, 'the retry to be acknowledged')
  t.ok(a.delegation.get('web').placement?.ackedAt, 'the retry was acknowledged')
})

t.test('a consumer restarted after accepting a workload still tracks it', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  const journal = a.store.journal({ kind: 'delegation.workload', key: 'web' })
  t.equal((journal[0]?.data as { event: string }).event, 'submitted', 'in the journal before the answer')
  await untilPhase(a, 'web', 'running')
  await a.restart()
  t.equal(a.delegation.get('web').phase, 'running', 'the last known phase is back')
  b.backend.report('progressing')
  await untilPhase(a, 'web', 'delegated')
  b.backend.report('running')
  await untilPhase(a, 'web', 'running')
  t.equal(b.backend.copies(w.id), 1)
})

t.test('a late Delegate for a fenced generation is refused and never runs again', async (t) => {
  const leases = new FakeLeases()
  const a = await startAgent(t, { name: 'a', leases })
  const b = await startAgent(t, { name: 'b', leases })
  await introduce(a, b)
  leases.grant('lease-ab', a.peerId, b.peerId)
  const w = a.delegation.submit({ manifests: deploymentYaml('web', 1) })
  await untilPhase(a, 'web', 'running')
  const res = b.delegation.provider.handleCancel({ workloadId: w.id, generation: 1, fence: 1 }, a.peerId)
  t.equal(res.cancelAck?.removed, true)
  await until(() => b.backend.copies(w.id) === 0, 'removal')
  const again = await b.delegation.provider.handle({ cancel: { workloadId: w.id, generation: 1, fence: 1 } }, a.peerId)
  t.equal(again.cancelAck?.removed, false, 'a second cancel is harmless')
  // the old generation arrives late (an outbox retry that was on the wire)
  const late = await sealDelegate(a.privateKey, {
    workloadId: w.id, generation: 1, name: 'web', manifests: new TextEncoder().encode(deploymentYaml('web', 1)),
    path: [a.peerId], hopLimit: 4, leaseId: 'lease-ab', consumer: a.peerId, provider: b.peerId
  }, Date.now())
  const answer = await b.delegation.provider.handle({ delegate: late }, a.peerId)
  t.equal(answer.reject?.reason, RejectReason.FENCED)
  await b.delegation.provider.settled()
  t.equal(b.backend.copies(w.id), 0, 'it does not come back')
})
