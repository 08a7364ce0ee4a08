import t from 'tap'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  transition, tryTransition, workloadPhases, workloadEvents, isTerminal, decideDelegate, decideCancel, classifyReport,
  checkDelegatePath, parseManifests, requestsOf, sealDelegate, openDelegate, StatusQueue, reasonFor, FencedError,
  type WorkloadPhase, type WorkloadEvent
} from '../protocol/delegation/index.ts'
import { Phase, RejectReason, type Status } from '../protocol/pb/delegate.js'
import { backoffMs } from '../agent/delegation/records.ts'
import { foldStatus } from '../agent/delegation/kube.ts'
import { deploymentYaml } from './helpers/delegation.ts'

t.test('the workload phase machine follows its table', async (t) => {
  const table: Array<[WorkloadPhase, WorkloadEvent, WorkloadPhase | undefined]> = [
    ['pending', 'placed', 'placing'],
    ['pending', 'unschedulable', 'failed'],
    ['pending', 'ack', undefined],
    ['placing', 'ack', 'delegated'],
    ['placing', 'reject', 'pending'],
    ['placing', 'disconnect', 'disconnected'],
    ['delegated', 'running', 'running'],
    ['running', 'progressing', 'delegated'],
    ['running', 'disconnect', 'disconnected'],
    ['running', 'relinquished', 'failing-over'],
    ['running', 'succeeded', 'succeeded'],
    ['running', 'failover', undefined],
    ['disconnected', 'reconnect', 'delegated'],
    ['disconnected', 'running', 'running'],
    ['disconnected', 'failover', 'failing-over'],
    ['failing-over', 'placed', 'placing'],
    ['failing-over', 'unschedulable', 'failed'],
    ['failed', 'placed', 'placing'],
    ['running', 'cancel', 'cancelling'],
    ['disconnected', 'cancel', 'cancelling'],
    ['cancelling', 'cancelled', 'cancelled'],
    ['cancelling', 'running', undefined],
    ['cancelled', 'placed', undefined],
    ['succeeded', 'running', undefined]
  ]
  for (const [from, ev, to] of table) {
    t.equal(tryTransition(from, ev), to, `${from} --${ev}--> ${to ?? 'refused'}`)
    if (to == null) t.throws(() => transition(from, ev), { name: 'WorkloadTransitionError' })
  }
  // terminal phases take nothing but a repeated cancel
  for (const p of workloadPhases.filter(isTerminal)) {
    for (const e of workloadEvents) {
      const next = tryTransition(p, e)
      if (next != null) t.ok(isTerminal(next), `${p} stays terminal on ${e}`)
    }
  }
  // every live phase can be cancelled
  for (const p of workloadPhases.filter((x) => !isTerminal(x))) t.equal(tryTransition(p, 'cancel'), 'cancelling')
})

t.test('idempotency by (id, generation) on the provider', async (t) => {
  t.same(decideDelegate(undefined, 1), { action: 'accept' })
  t.same(decideDelegate({ generation: 2, fence: 0 }, 2), { action: 'repeat' }, 'same generation: same answer')
  t.equal(decideDelegate({ generation: 2, fence: 0 }, 1).action, 'fenced', 'older generation refused')
  t.same(decideDelegate({ generation: 2, fence: 0 }, 3), { action: 'replace', previous: 2 }, 'newer replaces')
  t.equal(decideDelegate({ generation: 0, fence: 3 }, 3).action, 'fenced', 'a tombstone fences its generation')
  t.equal(decideDelegate({ generation: 0, fence: 3 }, 4).action, 'accept', 'and lets a newer one in')
  t.same(decideCancel(undefined, { generation: 2, fence: 2 }), { action: 'tombstone', fence: 2 })
  t.same(decideCancel({ generation: 2, fence: 0 }, { generation: 2, fence: 2 }), { action: 'remove', fence: 2 })
  t.same(decideCancel({ generation: 3, fence: 0 }, { generation: 2, fence: 2 }), { action: 'keep-newer', fence: 2 })
  t.same(decideCancel({ generation: 1, fence: 5 }, { generation: 1, fence: 1 }), { action: 'remove', fence: 5 }, 'a fence never goes down')

  // property: after any sequence of cancels, no generation at or below the highest fence is accepted
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('d', 'c'), fc.integer({ min: 1, max: 6 })), { maxLength: 30 }), (ops) => {
    let held: { generation: number, fence: number } | undefined
    let maxFence = 0
    for (const [op, g] of ops) {
      if (op === 'c') {
        const d = decideCancel(held, { generation: g, fence: g })
        maxFence = Math.max(maxFence, d.fence)
        held = { generation: d.action === 'keep-newer' ? (held?.generation ?? 0) : 0, fence: d.fence }
      } else {
        const d = decideDelegate(held, g)
        if (d.action === 'accept' || d.action === 'replace') {
          if (g <= maxFence) return false
          held = { generation: g, fence: held?.fence ?? 0 }
        }
      }
    }
    return true
  }))
  t.equal(reasonFor(new FencedError('x')), RejectReason.FENCED)
})

t.test('the consumer ignores and cancels reports from a fenced placement', async (t) => {
  const w = { generation: 2, placement: { target: 'C', generation: 2 } }
  t.equal(classifyReport(w, 'C', 2), 'current')
  t.equal(classifyReport(w, 'B', 1), 'fenced', 'the old placement after a failover')
  t.equal(classifyReport(w, 'B', 2), 'fenced', 'the right generation from the wrong peer')
  t.equal(classifyReport(w, 'C', 3), 'future')
  t.equal(classifyReport({ generation: 1 }, 'B', 1), 'fenced', 'unplaced: nothing is current')
})

t.test('path and hop-limit checks refuse loops and long chains', async (t) => {
  t.same(checkDelegatePath({ path: ['A'], hopLimit: 4, receiver: 'B', sender: 'A' }), ['A', 'B'])
  t.same(checkDelegatePath({ path: ['A', 'B'], hopLimit: 4, receiver: 'C', sender: 'B' }), ['A', 'B', 'C'], 'a waterfall')
  t.throws(() => checkDelegatePath({ path: ['A', 'B'], hopLimit: 4, receiver: 'A', sender: 'B' }), { name: 'DelegationLoopError' })
  t.throws(() => checkDelegatePath({ path: ['A', 'B', 'A'], hopLimit: 8, receiver: 'C', sender: 'A' }), { name: 'DelegationLoopError' })
  t.throws(() => checkDelegatePath({ path: ['A', 'B', 'C'], hopLimit: 3, receiver: 'D', sender: 'C' }), { name: 'DelegationHopLimitError' })
  t.throws(() => checkDelegatePath({ path: ['A', 'B'], hopLimit: 4, receiver: 'C', sender: 'A' }), { name: 'DelegationMalformedError' }, 'the sender must be last')
  t.throws(() => checkDelegatePath({ path: [], hopLimit: 4, receiver: 'C', sender: 'A' }), { name: 'DelegationMalformedError' })
})

t.test('manifests: valid Kubernetes YAML parses and sums requests × replicas', async (t) => {
  const docs = parseManifests(deploymentYaml('web', 3, '250m', '128Mi'))
  t.equal(docs.length, 2)
  const r = requestsOf(docs)
  t.equal(r.cpu, 750)
  t.equal(r.memory, 3 * 128 * 2 ** 20)
  t.equal(r.pods, 3)
  const job = parseManifests(`{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"parallelism":2,"template":{"spec":{"containers":[{"name":"c","image":"busybox","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}],"initContainers":[{"name":"i","image":"busybox","resources":{"requests":{"cpu":"2"}}}]}}}}`)
  const jr = requestsOf(job)
  t.equal(jr.cpu, 4000, 'a limit stands in for a missing request; an init container can dominate')
  t.equal(jr.memory, 2 * 2 ** 30)
  t.equal(jr.pods, 2)
  t.equal(requestsOf(parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }\n')).pods, 0)
})

t.test('manifests: an invalid one is refused naming the path of the first error', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /^manifests: holds no Kubernetes object/],
    ['kind: Deployment\napiVersion: apps/v1\nmetadata: { name: w }\n', /^\[0\]\.spec: is required/],
    ['apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: w }\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: x\n        - name: b\n', /^\[0\]\.spec\.template\.spec\.containers\[1\]\.image: is required/],
    ['apiVersion: v1\nkind: Namespace\nmetadata: { name: n }\n', /^\[0\]\.kind: Namespace is not supported/],
    ['apiVersion: v1\nkind: Pod\nmetadata: { name: Bad_Name }\nspec: { containers: [{ name: a, image: x }] }\n', /^\[0\]\.metadata\.name: "Bad_Name" is not a valid name/],
    ['apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [{ name: a, image: x, resources: { requests: { cpu: lots } } }] }\n', /^\[0\]\.spec\.containers\[0\]\.resources\.requests\.cpu: /],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: { ports: [{ port: 70000 }] }\n', /^\[1\]\.spec\.ports\[0\]\.port: /],
    ['apiVersion: apps/v2\nkind: Deployment\nmetadata: { name: w }\n', /^\[0\]\.apiVersion: apps\/v2 is not an apiVersion of Deployment/],
    ['a: [1, 2\n', /^\[0\]: not valid YAML/]
  ]
  for (const [text, re] of cases) {
    const err = (() => { try { parseManifests(text); return undefined } catch (e) { return e as Error & { path?: string } } })()
    t.equal(err?.name, 'InvalidManifestError', JSON.stringify(text.slice(0, 40)))
    t.match(err?.message, re)
  }
})

t.test('a Delegate is signed, and a bad signature, wrong recipient, stale clock or loop is refused', async (t) => {
  const ka = await generateKeyPair('Ed25519')
  const kb = await generateKeyPair('Ed25519')
  const a = peerIdFromPrivateKey(ka).toString()
  const b = peerIdFromPrivateKey(kb).toString()
  const now = Date.now()
  const fields = { workloadId: 'w1', generation: 1, name: 'web', manifests: new TextEncoder().encode('x'), path: [a], hopLimit: 4, leaseId: 'l1', consumer: a, provider: b }
  const d = await sealDelegate(ka, fields, now)
  const body = await openDelegate(d, { receiver: b, remotePeer: a, now })
  t.equal(body.workloadId, 'w1')
  await t.rejects(openDelegate({ ...d, signature: d.signature.map((x, i) => i === 0 ? x ^ 1 : x) }, { receiver: b, remotePeer: a, now }), { name: 'DelegationBadSignatureError' })
  await t.rejects(openDelegate(d, { receiver: a, remotePeer: a, now }), { name: 'DelegationWrongRecipientError' })
  await t.rejects(openDelegate(d, { receiver: b, remotePeer: b, now }), { name: 'DelegationMalformedError' }, 'the sender is not the one on the connection')
  await t.rejects(openDelegate(d, { receiver: b, remotePeer: a, now: now + 3_600_000 }), { name: 'DelegationStaleError' })
  const signedByB = await sealDelegate(kb, { ...fields, path: [a], provider: b }, now)
  await t.rejects(openDelegate(signedByB, { receiver: b, remotePeer: a, now }), { name: 'DelegationBadSignatureError' }, 'signed by someone else')
  const loop = await sealDelegate(ka, { ...fields, path: [b, a], consumer: b }, now)
  await t.rejects(openDelegate(loop, { receiver: b, remotePeer: a, now }), { name: 'DelegationLoopError' })
  const badGen = await sealDelegate(ka, { ...fields, generation: 0 }, now)
  await t.rejects(openDelegate(badGen, { receiver: b, remotePeer: a, now }), { name: 'DelegationMalformedError' })
  await t.rejects(openDelegate({ body: new Uint8Array([0xff, 0xff, 0xff]), signature: new Uint8Array() }, { receiver: b, remotePeer: a, now }), { name: 'DelegationMalformedError' })
})

t.test('outbox backoff grows exponentially with jitter and is capped', async (t) => {
  t.equal(backoffMs(1, 100, 10_000, () => 0), 50)
  t.equal(backoffMs(1, 100, 10_000, () => 1), 100)
  t.equal(backoffMs(4, 100, 10_000, () => 1), 800)
  t.equal(backoffMs(20, 100, 10_000, () => 1), 10_000, 'capped')
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
    const d = backoffMs(n, 100, 5000, () => r)
    return d >= 50 && d <= 5000
  }))
})

t.test('the status queue is bounded and keeps the latest status of each workload', async (t) => {
  const s = (id: string, seq: number): Status => ({ workloadId: id, generation: 1, phase: Phase.RUNNING, readyReplicas: 1, replicas: 1, podIps: [], lastError: '', observedGeneration: 1, sequence: seq, timestamp: 0 })
  const q = new StatusQueue(2)
  q.push(s('a', 1))
  q.push(s('a', 2))
  q.push(s('b', 1))
  q.push(s('c', 1))
  t.equal(q.size, 2)
  t.equal(q.dropped, 1)
  q.close()
  const out: Status[] = []
  for await (const x of q) out.push(x)
  t.same(out.map((x) => `${x.workloadId}${x.sequence}`), ['b1', 'c1'])
})

t.test('the kube backend folds object statuses into one workload status', async (t) => {
  const refs = [{ kind: 'Deployment', name: 'web' }, { kind: 'Job', name: 'once' }]
  const st = (kind: string, name: string, phase: 'Pending' | 'Progressing' | 'Running' | 'Succeeded' | 'Failed', extra: Record<string, unknown> = {}) =>
    ({ kind, name, namespace: 'ns', phase, conditions: [], pods: [], ...extra }) as never
  const seen = new Map()
  t.equal(foldStatus(refs, seen).phase, 'progressing', 'nothing seen yet')
  seen.set('Deployment/web', st('Deployment', 'web', 'Running', { replicas: 2, readyReplicas: 2, pods: [{ name: 'p1', phase: 'Running', ready: true, ip: '10.0.0.1', restarts: 0 }, { name: 'p2', phase: 'Running', ready: true, ip: '10.0.0.2', restarts: 0 }] }))
  t.equal(foldStatus(refs, seen).phase, 'progressing', 'the job has not reported')
  seen.set('Job/once', st('Job', 'once', 'Succeeded'))
  const ok = foldStatus(refs, seen)
  t.same([ok.phase, ok.readyReplicas, ok.replicas, ok.podIps], ['running', 2, 2, ['10.0.0.1', '10.0.0.2']])
  seen.set('Deployment/web', st('Deployment', 'web', 'Pending', { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] }))
  t.same([foldStatus(refs, seen).phase, foldStatus(refs, seen).error], ['failing', 'exceeded quota'], 'a quota refusal is failing, with the reason')
  seen.set('Deployment/web', st('Deployment', 'web', 'Progressing', { pods: [{ name: 'p1', phase: 'Pending', ready: false, restarts: 0, reason: 'Unschedulable', message: '0/1 nodes are available' }] }))
  t.match(foldStatus(refs, seen).error, /p1: Unschedulable: 0\/1 nodes/)
  t.equal(foldStatus([], new Map()).phase, 'running', 'config-only workloads run once applied')
})
