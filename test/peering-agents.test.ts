import t from 'tap'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { PeeringBody, PeeringFrame } from '../protocol/pb/peering.js'
import { PROTOCOL, RejectReason, seal, zero, type Resources } from '../protocol/peering/index.ts'
import { makePeer, connect, removeDir, waitFor, FakeTenants, type TestPeer, type PeerOptions } from './peering-helpers.ts'

const cpu = (m: number, pods = 0): Resources => ({ ...zero(), cpu: m, pods })

async function peer (t: { teardown(fn: () => unknown): void }, opts: PeerOptions = {}): Promise<TestPeer> {
  const p = await makePeer(opts)
  t.teardown(async () => { await p.stop(); if (opts.dir == null) removeDir(p.dir) })
  return p
}

function written (p: TestPeer): { leases: number, journal: number } {
  return {
    leases: Number((p.store.get<{ n: number }>('SELECT count(*) AS n FROM leases') ?? { n: 0 }).n),
    journal: p.store.journal({ kind: 'lease' }).length
  }
}

/** Sends one raw frame and returns the reject reason (or the kind) of the answer, without checking its signature. */
async function raw (from: TestPeer, to: TestPeer, frame: PeeringFrame): Promise<string> {
  const stream = await from.node.dialProtocol(peerIdFromString(to.id), PROTOCOL)
  const pb = pbStream(stream, { maxDataLength: 1 << 20 })
  await pb.write(frame, PeeringFrame)
  const answer = await pb.read(PeeringFrame, { signal: AbortSignal.timeout(5000) })
  await stream.close().catch(() => {})
  const body = PeeringBody.decode(answer.body)
  return body.reject?.reason ?? Object.keys(body).find((k) => ['grant', 'offer', 'renewAck', 'releaseAck'].includes(k) && (body as unknown as Record<string, unknown>)[k] != null) ?? '?'
}

t.test('two agents: a lease is granted one way only, and either side can release it', async (t) => {
  const a = await peer(t, { init: { offers: { policy: { share: false } } } })
  const b = await peer(t, { cpu: 4000 })
  await connect(a, b)
  const lease = await a.peering.request(b.id, cpu(2000, 10), { durationMs: 60_000 })
  t.equal(lease.state, 'active')
  t.same(lease.quota, cpu(2000, 10))
  t.equal(b.peering.list({ role: 'provider' }).length, 1)
  t.ok(b.tenants.ensured.has(lease.id), 'the provider made the tenant namespace')
  t.same(b.peering.granted(), cpu(2000, 10))
  // one-way: B holding nothing on A, and A (consumer only) gives B nothing
  t.equal(a.peering.list({ role: 'provider' }).length, 0)
  await t.rejects(b.peering.request(a.id, cpu(500)), { name: 'NotSharingError' })
  const offer = await a.peering.queryOffer(b.id)
  t.same(offer.resources.cpu, 2000, 'the remaining offer shrank by the grant')
  const released = await a.peering.release(lease.id)
  t.equal(released.state, 'released')
  t.equal(released.notified, true)
  await waitFor(() => b.peering.get(lease.id)?.state === 'released')
  t.same(b.tenants.removed, [lease.id])
  t.same(b.peering.granted(), zero())
  const again = await a.peering.request(b.id, cpu(1000), { durationMs: 60_000 })
  await b.peering.release(again.id)
  await waitFor(() => a.peering.get(again.id)?.state === 'released')
  t.pass('the provider released, and the consumer heard it')
})

t.test('a counter-offer grants what is left, and a minimum above it is refused', async (t) => {
  const a = await peer(t)
  const b = await peer(t, { cpu: 4000, init: { minGrant: cpu(500) } })
  await connect(a, b)
  const first = await a.peering.request(b.id, cpu(3000))
  t.same(first.quota, cpu(3000))
  const counter = await a.peering.request(b.id, cpu(3000))
  t.same(counter.quota, cpu(1000), 'counter-offer: min(asked, remaining)')
  await t.rejects(a.peering.request(b.id, cpu(3000)), { name: 'InsufficientCapacityError' }, 'nothing left')
  await b.peering.release(counter.id)
  await t.rejects(a.peering.request(b.id, cpu(3000), { min: cpu(2000) }), { name: 'InsufficientCapacityError' }, 'the consumer\'s minimum')
  t.equal(b.peering.stats.rejects[RejectReason.INSUFFICIENT_CAPACITY], 2)
})

t.test('five agents: concurrent requests beyond capacity get only what fits', async (t) => {
  const provider = await peer(t, { cpu: 4000, pods: 1000 })
  const consumers = await Promise.all([1, 2, 3, 4].map(async () => await peer(t)))
  for (const c of consumers) await connect(c, provider)
  const results = await Promise.allSettled(consumers.flatMap((c) => [1, 2, 3].map(async () => await c.peering.request(provider.id, cpu(700, 1)))))
  const granted = results.filter((r) => r.status === 'fulfilled').map((r) => r.value)
  const total = granted.reduce((s, l) => s + l.quota.cpu, 0)
  t.ok(total <= 4000, `granted ${total} of 4000 millicores`)
  t.equal(total, provider.peering.granted().cpu, 'consumers and provider agree')
  t.ok(total > 4000 - 700, 'the provider lent all that fit')
  for (const r of results) if (r.status === 'rejected') t.equal((r.reason as Error).name, 'InsufficientCapacityError')
  const rows = provider.store.all<{ quota: string }>("SELECT quota FROM leases WHERE role = 'provider' AND state = 'active'")
  t.equal(rows.reduce((s, r) => s + (JSON.parse(r.quota) as Resources).cpu, 0), total, 'the durable ledger holds the same sum')
})

t.test('grace holds a lease across a dropped link; a longer cut expires it', async (t) => {
  const init = { renewIntervalMs: 400, graceMs: 2000 }
  const a = await peer(t, { init })
  const b = await peer(t, { init })
  await connect(a, b)
  const lease = await a.peering.request(b.id, cpu(1000), { durationMs: 60_000 })
  a.link.up = false
  await waitFor(() => b.peering.get(lease.id)?.state === 'grace')
  t.pass('the provider put the lease in grace')
  a.link.up = true
  await waitFor(() => b.peering.get(lease.id)?.state === 'active' && a.peering.get(lease.id)?.state === 'active')
  t.pass('renewal resumed and the lease survived on both sides')
  t.same(b.tenants.removed, [])
  a.link.up = false
  await waitFor(() => b.peering.get(lease.id)?.state === 'expired', 10_000)
  t.same(b.tenants.removed, [lease.id], 'expiry removed the tenant namespace')
  await waitFor(() => a.peering.get(lease.id)?.state === 'expired', 10_000)
  t.equal(a.peering.stats.renewalsLost, 1)
  const journal = b.store.journal({ kind: 'lease', key: lease.id }).map((e) => (e.data as { to: string }).to)
  // every transition is journaled (a loaded machine may add a late-heartbeat grace→active cycle)
  t.equal(journal[0], 'active')
  t.equal(journal[journal.length - 1], 'expired')
  t.ok(journal.join(',').includes('grace,active'), `grace then active again: ${journal.join(',')}`)
})

t.test('a provider restarted mid-negotiation answers the retried request from its store', async (t) => {
  const a = await peer(t, { init: { attempts: 1, streamTimeoutMs: 800 } })
  const key = await generateKeyPair('Ed25519')
  const hung = new FakeTenants()
  hung.hang = true
  const dir = (await import('node:fs')).mkdtempSync((await import('node:os')).tmpdir() + '/skein-')
  t.teardown(() => { removeDir(dir) })
  const b1 = await makePeer({ key, dir, tenants: hung, cpu: 4000 })
  await connect(a, b1)
  await t.rejects(a.peering.request(b1.id, cpu(1500), { leaseId: 'resume-1' }), { name: 'PeerUnreachableError' })
  t.equal(b1.peering.list({ role: 'provider' }).length, 1, 'the provider committed the grant before it crashed')
  await b1.stop()
  const b2 = await makePeer({ key, dir, cpu: 4000 })
  t.teardown(async () => { await b2.stop() })
  await waitFor(() => b2.tenants.ensured.has('resume-1'))
  t.pass('the restarted provider restored the tenant namespace of the stored lease')
  await connect(a, b2)
  const lease = await a.peering.request(b2.id, cpu(1500), { leaseId: 'resume-1' })
  t.equal(lease.state, 'active')
  t.equal(b2.peering.list({ role: 'provider' }).length, 1, 'still one lease')
  t.same(b2.peering.granted(), cpu(1500), 'counted once')
})

t.test('A→B→C→A is refused, counted, and writes nothing', async (t) => {
  const a = await peer(t)
  const b = await peer(t)
  const c = await peer(t)
  await connect(c, a)
  const before = written(a)
  // C forwards, on B's behalf, a request that started at A: the path already holds A
  await t.rejects(c.peering.request(a.id, cpu(100), { path: [a.id, b.id, c.id] }), { name: 'LoopDetectedError' })
  t.same(written(a), before)
  t.match(await a.metrics.registry.metrics(), /skein_peering_rejects_total\{reason="LOOP"\} 1/)
})

t.test('bad input gets typed rejects, is counted, and writes nothing', async (t) => {
  const b = await peer(t, { cpu: 4000 })
  const outsider = await peer(t)
  const a = await peer(t)
  await connect(a, b)
  await connect(outsider, b)
  const first = await a.peering.request(b.id, cpu(100), { leaseId: 'dup-1' })
  t.equal(first.state, 'active')
  const before = written(b)

  // duplicate lease id from another consumer
  await t.rejects(outsider.peering.request(b.id, cpu(100), { leaseId: 'dup-1' }), { name: 'DuplicateLeaseError' })
  // a frame signed by the wrong key
  const forger = await generateKeyPair('Ed25519')
  const request = { leaseId: 'forged-1', quota: { cpuMillis: 100, memoryBytes: 0, pods: 0, gpu: 0, ephemeralStorageBytes: 0 }, durationMs: 60_000, path: [a.id], hopLimit: 4 }
  t.equal(await raw(a, b, await seal({ privateKey: forger, sender: a.id, recipient: b.id, now: Date.now() }, { request })), RejectReason.BAD_SIGNATURE)
  // absurd and negative quantities
  t.equal(await raw(a, b, await seal({ privateKey: a.key, sender: a.id, recipient: b.id, now: Date.now() }, { request: { ...request, quota: { ...request.quota, cpuMillis: 2 ** 40 } } })), RejectReason.INVALID_QUANTITY)
  await t.rejects(a.peering.request(b.id, { ...cpu(100), memory: -1 }), { name: 'InvalidQuantityError' })
  // stale and replayed
  t.equal(await raw(a, b, await seal({ privateKey: a.key, sender: a.id, recipient: b.id, now: Date.now() - 600_000 }, { request })), RejectReason.STALE)
  const once = await seal({ privateKey: a.key, sender: a.id, recipient: b.id, now: Date.now() }, { request: { ...request, quota: { ...request.quota, cpuMillis: 0 }, durationMs: 0 } })
  t.equal(await raw(a, b, once), RejectReason.INVALID_QUANTITY)
  t.equal(await raw(a, b, once), RejectReason.REPLAY)
  // malformed: garbage bytes in a frame, and a frame over the size limit
  t.equal(await raw(a, b, { body: new Uint8Array([1, 2, 3, 4]), signature: new Uint8Array(64) }), RejectReason.MALFORMED)
  t.equal(await raw(a, b, { body: new Uint8Array(64 * 1024), signature: new Uint8Array(64) }), RejectReason.MALFORMED)
  // a non-member
  const strict = await peer(t, { members: new Set([a.id]) })
  await connect(outsider, strict)
  await t.rejects(outsider.peering.request(strict.id, cpu(100)), { name: 'NotMemberError' })
  t.same(written(strict), { leases: 0, journal: 0 })

  t.same(written(b), before, 'nothing written on the provider')
  const text = await b.metrics.registry.metrics()
  for (const reason of ['DUPLICATE_LEASE', 'BAD_SIGNATURE', 'INVALID_QUANTITY', 'STALE', 'REPLAY', 'MALFORMED']) {
    t.match(text, new RegExp(`skein_peering_rejects_total\\{reason="${reason}"\\} [1-9]`), `${reason} counted`)
  }
  t.match(await strict.metrics.registry.metrics(), /skein_peering_rejects_total\{reason="NOT_MEMBER"\} 1/)
  t.match(text, /skein_leases\{role="provider",state="active"\} 1/)
  t.match(text, /skein_peering_grants_total 1/)
})
