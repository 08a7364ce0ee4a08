/**
 * Hostile frames against the real protocol handlers (issue 10, item 1): the
 * provider sides of /skein/peering/1.0.0 and /skein/delegate/1.0.0, fed
 * random bytes, truncated and lying length prefixes, and signed frames that
 * are valid but for one hostile value; and the announcement path fed signed
 * announcements with absurd numbers. Every case: no crash, no unhandled
 * rejection, a typed reject where the protocol answers, nothing in the store,
 * the reject counted. Many cases in-process over in-memory stream pairs, a
 * smaller number against a real agent over libp2p; the heap stays bounded.
 * `npm run fuzz` runs the same cases in larger numbers.
 */
import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { Agent } from '../agent/system.ts'
import { announceTopic } from '../agent/discovery/index.ts'
import { signAnnouncement, type AnnouncementData } from '../protocol/announce/index.ts'
import { PeeringFrame } from '../protocol/pb/peering.js'
import { seal, PROTOCOL as PEERING_PROTOCOL, RejectReason } from '../protocol/peering/index.ts'
import { DELEGATE_PROTOCOL } from '../protocol/delegation/constants.ts'
import { sealDelegate } from '../protocol/delegation/frames.ts'
import { DelegateRequest } from '../protocol/pb/delegate.js'
import {
  inProcessPeering, inProcessDelegate, fuzzHandler, peeringCases, delegateCases, buildPeering, buildDelegate,
  peeringAnswer, delegateAnswer, digestOf, counterSum, framed, fuzzAnnouncements, FUZZ_LEASE, type Target
} from './helpers/fuzz-handlers.ts'
import { tempDir, startFleetMember, type TapLike } from './helpers/agent.ts'

// fixed seeds keep CI repeatable; `npm run fuzz` explores with fresh seeds and more cases
const runs = Number(process.env.SKEIN_TEST_HANDLER_RUNS ?? 200)
const seed = Number(process.env.SKEIN_TEST_FUZZ_SEED ?? 20261124)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMB = (): number => { gc(); gc(); return process.memoryUsage().heapUsed / 1e6 }

t.test('the peering handler refuses hostile frames with a typed reject and stores nothing', async (t) => {
  const h = await inProcessPeering()
  t.teardown(async () => { await h.close() })
  const r = await fuzzHandler(h, peeringCases(), runs, seed)
  t.comment(JSON.stringify(r.rejects))
  t.equal(r.unhandledRejections, 0)
  t.equal(r.resets, 0, 'every frame, even an unreadable one, is answered')
  t.ok((r.rejects.MALFORMED ?? 0) > 0 && (r.rejects.INVALID_QUANTITY ?? 0) > 0 && (r.rejects.REPLAY ?? 0) > 0, 'the reasons say why')
  t.equal(h.peering.list().length, 0, 'no lease from any of them')
})

t.test('the delegate handler refuses hostile frames with a typed reject and stores nothing', async (t) => {
  const h = await inProcessDelegate()
  t.teardown(async () => { await h.close() })
  const r = await fuzzHandler(h, delegateCases(), runs, seed)
  t.comment(`${JSON.stringify(r.rejects)}; ${r.resets} unreadable frames dropped`)
  t.equal(r.unhandledRejections, 0)
  t.ok(r.resets > 0, 'unreadable frames are dropped (and counted as unreadable)')
  t.ok((r.rejects.MALFORMED ?? 0) > 0 && (r.rejects.NO_LEASE ?? 0) > 0, 'the reasons say why')
  t.equal(h.delegation.hosted().length, 0, 'no workload from any of them')
})

t.test('a duplicate lease id and a replayed frame are refused; the first grant stays as it was', async (t) => {
  const h = await inProcessPeering()
  t.teardown(async () => { await h.close() })
  const { attacker, attackerId, victimId } = h.keys
  const answer = peeringAnswer(h.keys)
  const send = async (bytes: Uint8Array): Promise<Awaited<ReturnType<Target['answer']>>> => {
    const s = await h.open()
    s.send(bytes)
    await s.close()
    return await answer(s)
  }
  const request = async (leaseId: string, cpu: number, hopLimit = 4): Promise<Uint8Array> => framed(PeeringFrame.encode(await seal({ privateKey: attacker, sender: attackerId, recipient: victimId, now: Date.now() }, {
    request: { leaseId, quota: { cpuMillis: cpu, memoryBytes: 0, pods: 1, gpu: 0, ephemeralStorageBytes: 0 }, min: { cpuMillis: 0, memoryBytes: 0, pods: 0, gpu: 0, ephemeralStorageBytes: 0 }, durationMs: 3_600_000, path: [attackerId], hopLimit }
  })))
  const first = await request('dup-lease', 500)
  t.same(await send(first), { other: 'grant' }, 'a good request is granted')
  const granted = h.digest()
  const rejects = await h.rejects()
  t.same(await send(first), { reject: RejectReason.REPLAY }, 'the same frame again is a replay')
  t.same(await send(await request('dup-lease', 1000)), { reject: RejectReason.DUPLICATE_LEASE }, 'the same lease id with another ask is a duplicate')
  t.equal(h.digest(), granted, 'the ledger holds the first grant only, unchanged')
  t.equal(await h.rejects() - rejects, 2, 'both counted')
  // hop limits at the extremes: 1 means no room for us, 16 is the most anyone may set
  t.same(await send(await request('hop-one', 100, 1)), { reject: RejectReason.HOP_LIMIT })
  t.same(await send(await request('hop-max', 100, 16)), { other: 'grant' })
  t.same(await send(await request('hop-over', 100, 17)), { reject: RejectReason.MALFORMED })
  t.equal(h.peering.list().length, 2)
})

t.test('a replayed Delegate gets the same Ack and is stored once', async (t) => {
  const h = await inProcessDelegate()
  t.teardown(async () => { await h.close() })
  const { attacker, attackerId, victimId } = h.keys
  const d = await sealDelegate(attacker, {
    workloadId: 'w-replay', generation: 1, name: 'web', manifests: new TextEncoder().encode('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { a: b }\n'),
    path: [attackerId], hopLimit: 4, leaseId: FUZZ_LEASE, consumer: attackerId, provider: victimId
  }, Date.now())
  const bytes = framed(DelegateRequest.encode({ delegate: d }))
  const answer = delegateAnswer()
  const send = async (): Promise<Awaited<ReturnType<Target['answer']>>> => {
    const s = await h.open()
    s.send(bytes)
    await s.close()
    return await answer(s)
  }
  t.same(await send(), { other: 'ack' })
  const stored = h.digest()
  for (let i = 0; i < 5; i++) t.same(await send(), { other: 'ack' })
  t.equal(h.digest(), stored, 'replays change nothing')
  t.equal(h.delegation.hosted().length, 1)
})

t.test('hostile signed announcements are dropped with a reason, never thrown', async (t) => {
  const r = await fuzzAnnouncements(Math.min(runs, 300), seed)
  t.comment(JSON.stringify(r.dropped))
  t.equal(Object.values(r.dropped).reduce((a, n) => a + n, 0), r.runs, `all ${r.runs} dropped`)
  t.ok((r.dropped.malformed ?? 0) > 0)
  t.ok(r.honestAccepted, 'an honest announcement from the same author passes')
})

t.test('a flood of hostile frames leaves the heap where it was', async (t) => {
  const p = await inProcessPeering()
  const d = await inProcessDelegate()
  t.teardown(async () => { await p.close(); await d.close() })
  const each = Math.ceil(runs / 2)
  const flood = async (s: number): Promise<void> => {
    await fuzzHandler(p, peeringCases(), each, s)
    await fuzzHandler(d, delegateCases(), each, s)
  }
  await flood(seed + 1) // warm-up: caches, compiled code, the nonce cache's first entries
  const before = heapMB()
  await flood(seed + 2)
  await flood(seed + 3)
  const after = heapMB()
  t.comment(`heap after warm-up ${before.toFixed(1)} MB, after ${4 * each} more hostile cases ${after.toFixed(1)} MB`)
  // the replay cache legitimately keeps a few bytes per accepted nonce; anything like a frame per case would be megabytes
  t.ok(after - before < 32, `heap grew ${(after - before).toFixed(1)} MB`)
})

// ------------------------------------------------------------------ a real agent over libp2p

interface Member { agent: Agent }

async function startMember (t: TapLike, fleetKey: PrivateKey, bootstrap: string[]): Promise<Member> {
  const agent = await startFleetMember(tempDir(t), fleetKey, bootstrap)
  t.teardown(async () => { await agent.stop() })
  return { agent }
}

async function waitFor (what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('a real agent refuses the same hostile frames over libp2p', async (t) => {
  const fleetKey = await generateKeyPair('Ed25519')
  const victim = await startMember(t, fleetKey, [])
  const attacker = await startMember(t, fleetKey, victim.agent.listenAddrs())
  await waitFor('mutual membership', () => victim.agent.discovery?.fleet.isMember(attacker.agent.peerId) === true &&
    attacker.agent.discovery?.fleet.isMember(victim.agent.peerId) === true, 15_000)
  const victimPeer = peerIdFromString(victim.agent.peerId)
  const anode = attacker.agent.node!
  const keys = { attacker: attacker.agent.identity!.privateKey, attackerId: attacker.agent.peerId, victimId: victim.agent.peerId }
  const store = victim.agent.store!
  const registry = victim.agent.metrics!.registry
  const realRuns = Math.max(20, Math.floor(runs / 5))
  const over = (protocol: string): Target['open'] => async () => {
    const conn = anode.getConnections(victimPeer)[0] ?? await anode.dial(victimPeer)
    return await conn.newStream(protocol, { signal: AbortSignal.timeout(10_000) })
  }
  const peering: Target = {
    name: `${PEERING_PROTOCOL} (libp2p)`, keys, open: over(PEERING_PROTOCOL), digest: () => digestOf(store),
    rejects: async () => await counterSum(registry, 'skein_peering_rejects_total'), build: buildPeering, answer: peeringAnswer(keys), close: async () => {}
  }
  const delegate: Target = {
    name: `${DELEGATE_PROTOCOL} (libp2p)`, keys, open: over(DELEGATE_PROTOCOL), digest: () => digestOf(store),
    rejects: async () => await counterSum(registry, 'skein_delegation_provider_answers_total', ['ack', 'repeat']), build: buildDelegate, answer: delegateAnswer(), close: async () => {}
  }
  const rp = await fuzzHandler(peering, peeringCases(), realRuns, seed)
  const rd = await fuzzHandler(delegate, delegateCases(), realRuns, seed)
  t.comment(`peering ${JSON.stringify(rp.rejects)}; delegate ${JSON.stringify(rd.rejects)}, ${rd.resets} dropped`)
  t.equal(rp.unhandledRejections + rd.unhandledRejections, 0)
  t.equal(victim.agent.state, 'running')

  // hostile announcements, signed by the attacker, published on the fleet topic
  const pubsub = (anode.services as unknown as { pubsub: { publish: (topic: string, data: Uint8Array) => Promise<unknown>, getSubscribers: (topic: string) => unknown[] } }).pubsub
  const topic = announceTopic(victim.agent.discovery!.fleet.fleetId)
  await waitFor('the victim in the attacker\'s topic mesh', () => pubsub.getSubscribers(topic).length > 0, 15_000)
  const droppedBefore = await counterSum(registry, 'skein_gossip_dropped_total')
  const cert = attacker.agent.discovery!.fleet.certificate
  const now = Date.now()
  const absurd = [
    { cpuMillis: 2 ** 52, memoryBytes: 0, pods: 0, gpu: 0, ephemeralStorageBytes: 0, generation: 1, hops: 1 },
    { cpuMillis: 0, memoryBytes: 0, pods: 0, gpu: 0, ephemeralStorageBytes: 0, generation: 1, hops: 2 ** 31 },
    { cpuMillis: 0, memoryBytes: 0, pods: 0, gpu: 0, ephemeralStorageBytes: 2 ** 53 - 1, generation: 1, hops: 1 }
  ]
  for (let i = 0; i < 30; i++) {
    const data: AnnouncementData = { peerId: keys.attackerId, seq: 1_000_000 + i, issuedMs: now, expiresMs: now + 60_000, addrs: [], labels: {}, offer: absurd[i % absurd.length]! }
    try { await pubsub.publish(topic, await signAnnouncement(keys.attacker, data, cert)) } catch {}
  }
  let dropped = 0
  const deadline = Date.now() + 10_000
  while (dropped === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    dropped = await counterSum(registry, 'skein_gossip_dropped_total') - droppedBefore
  }
  t.ok(dropped > 0, `${dropped} absurd announcements dropped and counted`)
  const seen = victim.agent.discovery?.discovery?.peers().find((p) => p.peerId === keys.attackerId)
  t.ok(seen == null || (seen.announcement.offer?.cpuMillis ?? 0) < 2 ** 52, 'the absurd offer is not what the victim believes')
  t.equal(victim.agent.state, 'running')
  // and a frame that is fine still gets its answer
  const s = await over(PEERING_PROTOCOL)()
  s.send(framed(PeeringFrame.encode(await seal({ privateKey: keys.attacker, sender: keys.attackerId, recipient: keys.victimId, now: Date.now() }, { offerQuery: {} }))))
  await s.close()
  t.same(await peeringAnswer(keys)(s), { other: 'offer' })
})

