/**
 * Anti-entropy between members: digests that agree exactly when holdings do,
 * one exchange that leaves both sides with the newer of every announcement,
 * a member cut off from gossip that still learns what changed, and hostile
 * sync messages refused with nothing changed.
 */
import t from 'tap'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream } from '@libp2p/utils'
import type { PrivateKey } from '@libp2p/interface'
import { Agent } from '../agent/system.ts'
import { createNode } from '../agent/node/index.ts'
import {
  issueCertificate, MEMBERSHIP_PROTOCOL, SYNC_PROTOCOL, SYNC_BUCKETS_BYTES, REVOCATIONS_BIT,
  SyncFrameError, bucketOf, digest, entriesIn, mismatched, plan
} from '../protocol/membership/index.ts'
import { MembershipHello, MembershipSync, SignedCertificate } from '../protocol/pb/membership.js'
import { signAnnouncement } from '../protocol/announce/index.ts'
import { startFleetMember, tempDir, type TapLike } from './helpers/agent.ts'

const pool = Array.from({ length: 40 }, (_, i) => `12D3KooWpeer${String(i).padStart(3, '0')}`)
const holding = fc.dictionary(fc.constantFrom(...pool), fc.integer({ min: 0, max: 5 }), { maxKeys: 40 }).map((o) => new Map(Object.entries(o)))

/** one exchange as the two agents run it, on plain maps: what each ends up holding */
function exchange (a: Map<string, number>, b: Map<string, number>, self: string): { a: Map<string, number>, b: Map<string, number>, mask: number } {
  const mask = mismatched(digest(b, []), digest(a, []))
  const { push, want } = plan(a, entriesIn(b, mask), mask, self)
  const a2 = new Map(a)
  const b2 = new Map(b)
  for (const p of push) b2.set(p, Math.max(b2.get(p) ?? -1, a.get(p) as number))
  for (const p of want) a2.set(p, Math.max(a2.get(p) ?? -1, b.get(p) as number))
  return { a: a2, b: b2, mask }
}

t.test('digests agree exactly when two members hold the same, whatever the order they learnt it in', async (t) => {
  fc.assert(fc.property(holding, holding, (a, b) => {
    const same = a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)
    const mask = mismatched(digest(a, []), digest(b, []))
    if (same !== (mask === 0)) return false
    // a bucket is flagged exactly when its entries differ
    for (let i = 0; i < 16; i++) {
      const inA = [...a].filter(([k]) => bucketOf(k) === i).sort().join()
      const inB = [...b].filter(([k]) => bucketOf(k) === i).sort().join()
      if ((inA !== inB) !== ((mask & (1 << i)) !== 0)) return false
    }
    return mismatched(digest(new Map([...a].reverse()), []), digest(a, [])) === 0
  }), { numRuns: 500 })
  t.equal(mismatched(digest(new Map(), ['x']), digest(new Map(), [])), REVOCATIONS_BIT, 'revocations have a digest of their own')
  t.equal(mismatched(digest(new Map(), ['x', 'y']), digest(new Map(), ['y', 'x'])), 0)
})

t.test('one exchange leaves both sides with the newer of every announcement either held, and sends nothing more than that', async (t) => {
  fc.assert(fc.property(holding, holding, (a, b) => {
    const { a: a2, b: b2, mask } = exchange(a, b, 'self-not-in-pool')
    const union = new Map(a)
    for (const [k, v] of b) union.set(k, Math.max(union.get(k) ?? -1, v))
    const eq = (x: Map<string, number>, y: Map<string, number>): boolean => x.size === y.size && [...x].every(([k, v]) => y.get(k) === v)
    if (!eq(a2, union) || !eq(b2, union)) return false
    if (mismatched(digest(a2, []), digest(b2, [])) !== 0) return false
    // what was sent: exactly the differing entries
    const { push, want } = plan(a, entriesIn(b, mask), mask, 'self-not-in-pool')
    return push.every((p) => (b.get(p) ?? -1) < (a.get(p) as number)) && want.every((p) => (a.get(p) ?? -1) < (b.get(p) as number))
  }), { numRuns: 500 })
  const { want } = plan(new Map(), [{ peerId: 'me', seq: 9 }], 1 << bucketOf('me'), 'me')
  t.same(want, [], 'an agent never asks for its own announcement')
})

t.test('sync messages that break the protocol are refused with SyncFrameError', async (t) => {
  const mine = digest(new Map([['a', 1]]), [])
  t.throws(() => mismatched(mine, new Uint8Array(SYNC_BUCKETS_BYTES - 1)), SyncFrameError, 'a short digest')
  t.throws(() => mismatched(mine, new Uint8Array(0)), SyncFrameError, 'no digest')
  const mask = 1 << bucketOf('a')
  const other = pool.find((p) => bucketOf(p) !== bucketOf('a')) as string
  t.throws(() => plan(new Map(), [{ peerId: other, seq: 1 }], mask, 'me'), SyncFrameError, 'an entry outside the mismatched buckets')
  t.throws(() => plan(new Map(), [{ peerId: 'a', seq: 1 }, { peerId: 'a', seq: 2 }], mask, 'me'), SyncFrameError, 'an entry twice')
  t.throws(() => plan(new Map(), [{ peerId: 'a', seq: -1 }], mask, 'me'), SyncFrameError, 'a negative sequence number')
  t.throws(() => plan(new Map(), [{ peerId: 'a', seq: 2 ** 60 }], mask, 'me'), SyncFrameError, 'a sequence number beyond 2^53')
})

async function member (t: TapLike, fleetKey: PrivateKey, bootstrap: string[], syncInterval: string): Promise<Agent> {
  const agent = await startFleetMember(tempDir(t), fleetKey, bootstrap, { discovery: { announceInterval: '1h', syncInterval } })
  t.teardown(async () => { await agent.stop() })
  return agent
}

const disc = (a: Agent) => {
  const d = a.discovery?.discovery
  if (d == null) throw new Error('discovery not running')
  return d
}

async function until (fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (fn()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return fn()
}

/** B stops taking announcements from gossip (a member cut off from the mesh); A announces again */
async function cutOffThenAnnounce (a: Agent, b: Agent): Promise<number> {
  const pubsub = (b.node?.services as unknown as { pubsub: { topicValidators: Map<string, unknown> } }).pubsub
  pubsub.topicValidators.set(disc(b).topic, async () => 'ignore')
  await disc(a).announce()
  return disc(a).sequence
}

t.test('a member that gossip does not reach still learns a new announcement by sync, and only by sync', async (t) => {
  const fleetKey = await generateKeyPair('Ed25519')

  await t.test('with sync', async (t) => {
    const a = await member(t, fleetKey, [], '1s')
    const b = await member(t, fleetKey, [a.listenAddrs()[0] as string], '1s')
    t.ok(await until(() => disc(b).peer(a.peerId) != null && disc(a).peer(b.peerId) != null, 15_000), 'both hold the other\'s announcement after the hello')
    const seq = await cutOffThenAnnounce(a, b)
    t.ok(await until(() => (disc(b).peer(a.peerId)?.announcement.seq ?? 0) >= seq && disc(b).peer(a.peerId)?.announcement.seq === disc(a).sequence, 15_000), `B holds A's latest announcement (${seq} or later)`)
    t.equal(disc(b).peer(a.peerId)?.source, 'sync', 'and it came by sync')
    const rounds = { ...disc(a).syncs, ...disc(b).syncs }
    t.ok((rounds['initiator repaired'] ?? 0) + (rounds['responder repaired'] ?? 0) > 0, `a round repaired it (${JSON.stringify(rounds)})`)
  })

  await t.test('without sync the announcement stays lost', async (t) => {
    const a = await member(t, fleetKey, [], '0s')
    const b = await member(t, fleetKey, [a.listenAddrs()[0] as string], '0s')
    t.ok(await until(() => disc(b).peer(a.peerId) != null, 15_000))
    const before = disc(b).peer(a.peerId)?.announcement.seq
    const seq = await cutOffThenAnnounce(a, b)
    t.not(seq, before)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    t.equal(disc(b).peer(a.peerId)?.announcement.seq, before, 'B still holds the old one')
  })
})

t.test('hostile sync messages from a member are refused, counted, and change nothing', async (t) => {
  const fleetKey = await generateKeyPair('Ed25519')
  const agent = await member(t, fleetKey, [], '1h')
  const key = await generateKeyPair('Ed25519')
  const node = await createNode({ privateKey: key, listen: ['/ip4/127.0.0.1/tcp/0'] })
  await node.start()
  t.teardown(async () => { await node.stop() })
  const self = node.peerId.toString()
  const cert = await issueCertificate(fleetKey, { peerId: self, expiresMs: Date.now() + 86_400_000 })
  const conn = await node.dial(multiaddr(agent.listenAddrs()[0] as string))
  const hello = pbStream(await conn.newStream(MEMBERSHIP_PROTOCOL))
  await hello.write({ certificate: SignedCertificate.decode(cert), revocations: [], announcements: [] }, MembershipHello)
  await hello.read(MembershipHello)
  await hello.write({ revocations: [], announcements: [] }, MembershipHello)
  t.ok(await until(() => agent.discovery?.fleet.isMember(self) === true, 5000), 'the peer is a member')
  const d = disc(agent)
  const empty = { buckets: new Uint8Array(), mismatched: 0, entries: [], announcements: [], want: [], revocations: [] }
  const gap = async (): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, 600)) }

  await t.test('a digest of the wrong length', async (t) => {
    const before = d.syncs['responder failed'] ?? 0
    const pb = pbStream(await conn.newStream(SYNC_PROTOCOL))
    await pb.write({ ...empty, buckets: new Uint8Array(7) }, MembershipSync)
    await t.rejects(pb.read(MembershipSync, { signal: AbortSignal.timeout(5000) }), 'the stream is aborted')
    t.ok(await until(() => (d.syncs['responder failed'] ?? 0) === before + 1, 5000), 'counted as a failed round')
    t.equal(conn.status, 'open', 'a member\'s bad sync costs the stream, not the connection')
    await gap()
  })

  await t.test('a forged and a garbage announcement pushed into a sync', async (t) => {
    const held = d.peers().length
    const stream = await conn.newStream(SYNC_PROTOCOL)
    const pb = pbStream(stream)
    await pb.write({ ...empty, buckets: new Uint8Array(SYNC_BUCKETS_BYTES) }, MembershipSync)
    const reply = await pb.read(MembershipSync)
    t.not(reply.mismatched, 0, 'a digest of zeros matches nothing')
    t.ok(reply.entries.some((e) => e.peerId === agent.peerId), 'the agent lists its own announcement')
    // an announcement of another member signed with our key
    const other = await generateKeyPair('Ed25519')
    const forged = await signAnnouncement(key, { peerId: peerIdFromPrivateKey(other).toString(), seq: 1, issuedMs: Date.now(), expiresMs: Date.now() + 60_000, addrs: [], labels: {} }, cert)
    const drops = { ...d.drops }
    await pb.write({ ...empty, announcements: [forged as Uint8Array<ArrayBuffer>, new Uint8Array([1, 2, 3])] }, MembershipSync)
    t.ok(await until(() => Object.values(d.drops).reduce((x, y) => x + y, 0) >= Object.values(drops).reduce((x, y) => x + y, 0) + 2, 5000), `both dropped by reason (${JSON.stringify(d.drops)})`)
    t.equal(d.peers().length, held, 'nothing new is held')
    await stream.close()
    await gap()
  })

  await t.test('asking twice within half a second', async (t) => {
    const before = d.syncs['responder refused'] ?? 0
    const stream = await conn.newStream(SYNC_PROTOCOL)
    const first = pbStream(stream)
    await first.write({ ...empty, buckets: digest(new Map(), []) as Uint8Array<ArrayBuffer> }, MembershipSync)
    await first.read(MembershipSync)
    await first.write(empty, MembershipSync)
    await stream.close()
    const second = pbStream(await conn.newStream(SYNC_PROTOCOL))
    await t.rejects((async () => {
      await second.write({ ...empty, buckets: digest(new Map(), []) as Uint8Array<ArrayBuffer> }, MembershipSync)
      await second.read(MembershipSync, { signal: AbortSignal.timeout(5000) })
    })(), 'the second is aborted')
    t.equal((d.syncs['responder refused'] ?? 0) - before, 1, 'counted as refused')
  })
})
