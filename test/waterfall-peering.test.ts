import t from 'tap'
import fc from 'fast-check'
import { add, fits, sum, zero, type Resources } from '../protocol/peering/index.ts'
import { heldCapacity, eligibleFor, backGrant, leftOf, lendable, offerPath, type HeldLease } from '../agent/peering/reoffer.ts'
import type { StoredLease } from '../agent/peering/ledger.ts'
import { relayStatus, relayName } from '../agent/delegation/waterfall.ts'
import { heldUsage } from '../agent/delegation/wiring.ts'
import type { WorkloadRecord } from '../agent/delegation/records.ts'
import { finishConfig } from '../agent/config/index.ts'
import { Phase } from '../protocol/pb/delegate.js'
import { makePeer, connect, removeDir, waitFor, type TestPeer, type PeerOptions } from './peering-helpers.ts'

const res = (cpu: number, pods = 0): Resources => ({ ...zero(), cpu, pods })

function held (id: string, provider: string, quota: Resources): StoredLease {
  return { id, role: 'consumer', consumer: 'B', provider, quota, created: 0, expires: 1e12, renewBy: 1e12, graceMs: 1000, state: 'active', path: ['B'] }
}

t.test('split horizon, no loop through us, and the hop limit decide which held leases may back capacity for a peer', async (t) => {
  const paths: Record<string, string[]> = { C: ['C'], E: ['D', 'E'] }
  const list = heldCapacity([held('l1', 'C', res(2000, 10)), held('l2', 'E', res(1000, 5))], new Map(), () => undefined, (p) => paths[p] ?? [p])
  t.same(eligibleFor(list, 'B', 'A', ['A'], 4).map((h) => h.leaseId), ['l1', 'l2'], 'both may go to A')
  t.same(eligibleFor(list, 'B', 'C', ['C'], 4).map((h) => h.leaseId), ['l2'], 'nothing that came from C goes back to C')
  t.same(eligibleFor(list, 'B', 'A', ['D', 'A'], 4).map((h) => h.leaseId), ['l1'], 'nothing that came through someone on the request path')
  t.same(eligibleFor(list, 'B', 'A', ['A'], 3).map((h) => h.leaseId), ['l1'], 'A→B→E→D would reach the hop limit 3')
  t.same(eligibleFor(list, 'B', 'A', ['A'], 2), [], 'hop limit 2 leaves no room to pass anything on')
  t.same(offerPath('B', eligibleFor(list, 'B', 'A', ['A'], 4)), ['C', 'D', 'E', 'B'])
  t.same(offerPath('B', []), ['B'], 'a direct offer has just us on its path')
})

t.test('what is spoken for of a held lease (own use, the larger of re-granted and relayed) is never lent again', async (t) => {
  const [h] = heldCapacity([held('l1', 'C', res(2000, 10))], new Map([['l1', res(500, 2)]]), () => ({ own: res(300, 1), relayed: res(800, 1) }), (p) => [p])
  if (h == null) throw new Error('no capacity')
  t.same(leftOf(h), res(900, 7), '2000 − 300 own − max(500, 800) relayed')
  const [full] = heldCapacity([held('l1', 'C', res(1000))], new Map([['l1', res(900)]]), () => ({ own: res(900), relayed: zero() }), (p) => [p])
  t.same(full?.reoffered, res(1000), 'spoken for never exceeds the quota')
})

t.test('a grant is backed by own capacity first, then held leases, and never beyond either (property)', async (t) => {
  const arb = fc.record({ cpu: fc.integer({ min: 0, max: 4000 }), pods: fc.integer({ min: 0, max: 20 }) }).map((r) => res(r.cpu, r.pods))
  fc.assert(fc.property(arb, fc.array(fc.record({ quota: arb, spoken: arb }), { maxLength: 5 }), fc.array(arb, { maxLength: 8 }), (own, leases, asks) => {
    let ownLeft = own
    let parts: HeldLease[] = leases.map((l, i) => ({ leaseId: `l${i}`, provider: `P${i}`, path: [`P${i}`], quota: l.quota, reoffered: fits(l.spoken, l.quota) ? l.spoken : zero(), expires: 0 }))
    for (const ask of asks) {
      const b = backGrant(ask, ownLeft, parts)
      const capacity = add(ownLeft, lendable(parts))
      if (b == null) { if (fits(ask, capacity)) return false; continue }
      if (JSON.stringify(add(b.own, sum(b.via.map((v) => v.take)))) !== JSON.stringify(ask)) return false
      if (!fits(b.own, ownLeft)) return false
      for (const v of b.via) {
        const p = parts.find((x) => x.leaseId === v.leaseId)
        if (p == null || !fits(v.take, leftOf(p))) return false
      }
      ownLeft = { ...ownLeft, cpu: ownLeft.cpu - b.own.cpu, pods: ownLeft.pods - b.own.pods }
      parts = parts.map((p) => ({ ...p, reoffered: add(p.reoffered, sum(b.via.filter((v) => v.leaseId === p.leaseId).map((v) => v.take))) }))
      // nothing counted twice: every held lease's re-granted part stays within its quota
      if (parts.some((p) => !fits(p.reoffered, p.quota))) return false
    }
    return true
  }), { numRuns: 300 })
  t.pass('no counterexample')
})

t.test('a relay\'s state becomes the status reported upstream, naming the chain', async (t) => {
  const base: WorkloadRecord = { name: 'wf-x', id: 'x', generation: 1, manifests: '', requests: res(800, 2), constraints: {}, onDisconnect: 'keep', failoverAfterMs: 1, spread: 1, phase: 'pending', phaseSince: 0, createdAt: 0, updatedAt: 0, fenced: [], avoid: [], history: [] }
  const placed: WorkloadRecord = { ...base, placement: { target: 'C', local: false, leaseId: 'l1', generation: 1, placedAt: 0 } }
  const status = { phase: Phase.RUNNING, readyReplicas: 2, replicas: 2, podIps: ['10.0.0.1'], lastError: '', observedGeneration: 1, sequence: 3, at: 0, via: ['D'] }
  t.same(relayStatus({ ...placed, phase: 'running', status }), { readyReplicas: 2, replicas: 2, podIps: ['10.0.0.1'], via: ['C', 'D'], phase: 'running' })
  t.equal(relayStatus({ ...placed, phase: 'delegated' })?.phase, 'progressing')
  t.equal(relayStatus({ ...placed, phase: 'disconnected', status }), undefined, 'the last known status stands while C is away')
  t.equal(relayStatus({ ...base, phase: 'failed', lastError: 'no candidate passed the filters' })?.phase, 'unrunnable', 'nowhere to pass it on: given back upstream')
  t.match(relayName('skein-tenant-abc', 'w1', 2), /^wf-[0-9a-f]{16}-2$/)
  const usage = heldUsage([
    { ...placed, phase: 'running' },
    { ...placed, name: 'wf-y', phase: 'running', relay: { path: ['A'], hopLimit: 4, upstream: { consumer: 'A', workloadId: 'y', generation: 1 } } },
    { ...placed, name: 'gone', phase: 'cancelled' }
  ], 'l1')
  t.same(usage, { own: res(800, 2), relayed: res(800, 2) }, 'own and relayed use of a lease, cancelled ones not counted')
})

t.test('peering.reoffer is checked in config', async (t) => {
  t.throws(() => finishConfig({ stateDir: '/tmp/x', peering: { reoffer: true, share: false } }, {}), { name: 'ConfigError' }, 'a consumer-only agent cannot re-offer')
  t.equal(finishConfig({ stateDir: '/tmp/x' }, {}).peering.reoffer, false, 'off by default')
})

async function peer (t: { teardown(fn: () => unknown): void }, opts: PeerOptions = {}): Promise<TestPeer> {
  const p = await makePeer(opts)
  t.teardown(async () => { await p.stop(); removeDir(p.dir) })
  return p
}

t.test('three agents: re-offered capacity is granted only as far as it is backed, and goes when its backing goes', async (t) => {
  const c = await peer(t, { cpu: 4000 })
  const b = await peer(t, { cpu: 500, init: { reoffer: true } })
  const a = await peer(t, { init: { offers: { policy: { share: false } } } })
  const plain = await peer(t, { cpu: 500 })
  await connect(b, c)
  await connect(a, b)
  await connect(plain, c)
  await connect(a, plain)
  const onC = await b.peering.request(c.id, res(2000, 10), { durationMs: 60_000 })
  const onPlain = await plain.peering.request(c.id, res(2000, 10), { durationMs: 60_000 })
  t.equal(onPlain.state, 'active')
  t.equal((await a.peering.queryOffer(plain.id)).resources.cpu, 500, 'without reoffer, only the own share is offered')
  const offer = await a.peering.queryOffer(b.id)
  t.same(offer.path, [c.id, b.id])
  t.equal(offer.resources.cpu, 2500)
  a.peering.noteOffer(b.id, res(2500, 10))
  t.same(a.peering.knownOffers().find((k) => k.peer === b.id)?.path, [c.id, b.id], 'an announcement (no path) keeps the path the offer came along')

  const l1 = await a.peering.request(b.id, res(2000, 5), { durationMs: 3_600_000 })
  t.same(l1.quota, res(2000, 5))
  const granted = b.peering.get(l1.id)
  t.same(granted?.backing?.own, res(500, 5), 'own capacity first')
  t.same(granted?.backing?.via, [{ leaseId: onC.id, take: res(1500, 0) }], 'the rest from the lease on C')
  t.ok((granted?.expires ?? Infinity) <= onC.expires, 'a grant ends no later than the lease backing it')
  await a.peering.extend(l1.id, 7_200_000)
  t.ok((b.peering.get(l1.id)?.expires ?? Infinity) <= onC.expires, 'nor after an extension asks for more')
  const counter = await a.peering.request(b.id, res(2000, 0), { durationMs: 60_000 })
  t.same(counter.quota, res(500, 0), 'a counter-offer of what is left of the lease on C')
  await t.rejects(a.peering.request(b.id, res(100, 0)), { name: 'InsufficientCapacityError' }, 'then nothing is left')
  const view = b.peering.offerView()
  t.ok(fits(view.granted, view.pool), `no overcommit: granted ${view.granted.cpu} ≤ pool ${view.pool.cpu}`)
  t.equal(view.granted.cpu, 2500)

  // the split horizon in the other direction: C is offered only B's own share, and that is gone
  t.equal((await c.peering.queryOffer(b.id)).resources.cpu, 0)

  // B loses its lease on C: what it backed is released, and A hears of it
  await c.peering.release(onC.id)
  await waitFor(() => b.peering.get(l1.id)?.state === 'released' && b.peering.get(counter.id)?.state === 'released')
  await waitFor(() => a.peering.get(l1.id)?.state === 'released' && a.peering.get(counter.id)?.state === 'released')
  t.pass('both grants backed by the lease on C ended on both sides')
  t.same(b.peering.offerView().granted, zero())
})
