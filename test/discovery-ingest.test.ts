/**
 * Discovery's handling of announcements it already holds and of members it
 * learns of, driven through the fleet topic's validator with a fake clock and
 * a stand-in libp2p node (real fleet, store, signatures and certificates).
 */
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { Discovery, announceScale } from '../agent/discovery/index.ts'
import { Fleet } from '../agent/fleet/index.ts'
import { openStore } from '../agent/store/index.ts'
import { silentLogger } from '../agent/logger.ts'
import type { Clock } from '../agent/clock.ts'
import type { Links } from '../agent/links/index.ts'
import type { SkeinNode } from '../agent/node/index.ts'
import { issueCertificate, issueRevocation } from '../protocol/membership/index.ts'
import { decodeSignedAnnouncement, signAnnouncement, type AnnouncementData } from '../protocol/announce/index.ts'
import { tempDir, type TapLike } from './helpers/agent.ts'

class FakeClock implements Clock {
  t = Date.now()
  private timers: Array<{ at: number, fn: () => void, every?: number, live: boolean }> = []
  now (): number { return this.t }
  monotonic (): number { return this.t }
  setTimeout (fn: () => void, ms: number): { clear(): void } {
    const timer = { at: this.t + ms, fn, live: true }
    this.timers.push(timer)
    return { clear: () => { timer.live = false } }
  }

  setInterval (fn: () => void, ms: number): { clear(): void } {
    const timer = { at: this.t + ms, fn, every: ms, live: true }
    this.timers.push(timer)
    return { clear: () => { timer.live = false } }
  }

  advance (ms: number): void {
    const end = this.t + ms
    for (;;) {
      const next = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0]
      if (next == null) break
      this.t = next.at
      if (next.every != null) next.at += next.every
      else next.live = false
      next.fn()
    }
    this.t = end
  }
}

interface Peer { key: PrivateKey, id: PeerId, cert: Uint8Array }

type Validator = (from: PeerId, msg: { data: Uint8Array }) => Promise<string>

/** `want`: keep making members until it holds of their peer IDs next to ours */
async function setup (t: TapLike, peerCount: number, want: (self: string, peers: string[]) => boolean = () => true): Promise<{ d: Discovery, fleet: Fleet, clock: FakeClock, self: Peer, peers: Peer[], fleetKey: PrivateKey, deliver: (from: Peer, bytes: Uint8Array) => Promise<string>, dials: string[], connected: Set<string>, unwatched: Set<string>, discover: (id: PeerId) => void, published: Array<{ topic: string, at: number, bytes: Uint8Array }>, periods: Map<string, number> }> {
  const fleetKey = await generateKeyPair('Ed25519')
  /** members this agent does not ping (a fleet beyond links.maxMonitored) */
  const unwatched = new Set<string>()
  const member = async (): Promise<Peer> => {
    const key = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key)
    return { key, id, cert: await issueCertificate(fleetKey, { peerId: id.toString(), expiresMs: Date.now() + 86_400_000 }) }
  }
  const self = await member()
  const peers: Peer[] = []
  while (peers.length < peerCount || !want(self.id.toString(), peers.map((p) => p.id.toString()))) peers.push(await member())
  const clock = new FakeClock()
  const store = openStore({ stateDir: tempDir(t) })
  t.teardown(() => { store.close() })
  const logger = silentLogger()
  const fleet = new Fleet({ publicKey: fleetKey.publicKey, certificate: self.cert }, { store, clock, logger: logger.forComponent('skein:fleet'), selfPeerId: self.id.toString() })
  const validators = new Map<string, Validator>()
  const dials: string[] = []
  const connected = new Set<string>()
  // as libp2p does: a peer first added to the peer store is reported as discovered
  const discovered: Array<(evt: CustomEvent<{ id: PeerId }>) => void> = []
  const inStore = new Set<string>()
  const published: Array<{ topic: string, at: number, bytes: Uint8Array }> = []
  /** the announcement period each member said, as links was told */
  const periods = new Map<string, number>()
  const node = {
    peerId: self.id,
    services: {
      pubsub: {
        topicValidators: validators,
        subscribe: () => {},
        publish: async (topic: string, bytes: Uint8Array) => { published.push({ topic, at: clock.now(), bytes }); return { recipients: [] } },
        addEventListener: () => {},
        removeEventListener: () => {}
      }
    },
    handle: async () => {},
    unhandle: async () => {},
    addEventListener: (name: string, fn: (evt: CustomEvent<{ id: PeerId }>) => void) => { if (name === 'peer:discovery') discovered.push(fn) },
    removeEventListener: () => {},
    getConnections: (id?: PeerId) => id != null ? (connected.has(id.toString()) ? [{}] : []) : [...connected].map(() => ({})),
    getMultiaddrs: () => [],
    getPeers: () => [],
    peerStore: {
      merge: async (id: PeerId) => {
        if (inStore.has(id.toString())) return
        inStore.add(id.toString())
        for (const fn of discovered) fn(new CustomEvent('peer:discovery', { detail: { id } }))
      }
    },
    dial: async (id: PeerId) => { dials.push(id.toString()) },
    hangUp: async () => {}
  }
  const links = {
    track: () => {},
    untrack: () => {},
    heartbeat: () => {},
    expectAnnouncements: (p: string, ms: number) => { periods.set(p, ms) },
    state: () => 'alive',
    onChange: () => () => {},
    list: () => [],
    monitored: (p: string) => !unwatched.has(p),
    maxMonitored: 2
  }
  const d = new Discovery({ announceIntervalMs: 60_000, dialGraceMs: 3000 }, {
    node: node as unknown as SkeinNode,
    fleet,
    links: links as unknown as Links,
    store,
    clock,
    logger: logger.forComponent('skein:discovery'),
    privateKey: self.key
  })
  await d.start()
  t.teardown(async () => { await d.stop() })
  const validate = validators.get(d.topic)
  if (validate == null) throw new Error('discovery installed no validator on its topic')
  // the sender proved membership at its connection
  for (const p of peers) await fleet.checkMember(p.id.toString(), p.cert)
  const deliver = async (from: Peer, bytes: Uint8Array): Promise<string> => await validate(from.id, { data: bytes })
  /** a peer found by mDNS, a bootstrap list or the DHT */
  const discover = (id: PeerId): void => { for (const fn of discovered) fn(new CustomEvent('peer:discovery', { detail: { id } })) }
  return { d, fleet, clock, self, peers, fleetKey, deliver, dials, connected, unwatched, discover, published, periods }
}

async function announcement (p: Peer, now: number, seq = 1, ttlMs = 90_000, intervalMs?: number): Promise<Uint8Array> {
  return await signAnnouncement(p.key, { peerId: p.id.toString(), seq, issuedMs: now, expiresMs: now + ttlMs, addrs: [], labels: {}, ...(intervalMs != null ? { intervalMs } : {}) }, p.cert)
}

t.test('announcements grow apart as the fleet grows: once the configured period up to 32 members, then one more per doubling', async (t) => {
  const sizes = [1, 2, 32, 33, 64, 65, 128, 129, 200, 256, 257, 512, 513, 10_000]
  t.same(sizes.map(announceScale), [1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 10])
})

t.test('a member holding 40 others announces every two periods, says so, and its announcements live twice as long', async (t) => {
  const { d, clock, self, peers, deliver, published, periods } = await setup(t, 40)
  for (const [i, p] of peers.entries()) {
    // half the members say their period (a newer agent), half do not (an older one)
    t.equal(await deliver(p, await announcement(p, clock.now(), 1, 90_000, i % 2 === 0 ? 90_000 + i : undefined)), 'accept')
  }
  t.equal(periods.size, 20, 'the members that said their period are judged on it')
  t.equal(periods.get((peers[4] as Peer).id.toString()), 90_004)
  t.notOk(periods.has((peers[1] as Peer).id.toString()), 'the others on the configured one')
  const own = (): Array<{ at: number, a: AnnouncementData }> => published
    .filter((m) => m.topic === d.topic)
    .map((m) => ({ at: m.at, a: decodeSignedAnnouncement(m.bytes).announcement }))
    .filter((m) => m.a.peerId === self.id.toString())
  await d.announce()
  const now = own().at(-1)?.a
  t.equal(now?.intervalMs, 120_000, 'the period it says: 2 × 60 s with 41 members')
  t.equal((now?.expiresMs ?? 0) - (now?.issuedMs ?? 0), 360_000, 'a lifetime of 2 × 3 × 60 s')
  const before = own().length
  for (let i = 0; i < 600; i++) {
    clock.advance(1000)
    await new Promise((resolve) => setImmediate(resolve))
  }
  const periodic = own().slice(before)
  const gaps = periodic.slice(1).map((m, i) => m.at - (periodic[i] as { at: number }).at)
  t.ok(gaps.length >= 3, `${periodic.length} announcements in 10 minutes`)
  t.ok(gaps.every((g) => g >= 96_000 && g <= 144_000), `each 120 s ± 20 % after the last (${gaps.join(', ')} ms)`)
})

t.test('an announcement held already, delivered again byte for byte, is dropped as replayed and leaves the record as it was; once expired, as stale', async (t) => {
  const { d, clock, peers, deliver } = await setup(t, 2)
  const [a, relay] = peers as [Peer, Peer]
  const bytes = await announcement(a, clock.now())
  t.equal(await deliver(a, bytes), 'accept')
  const first = d.peer(a.id.toString())
  t.ok(first, 'the record is held')
  clock.advance(1000)
  t.equal(await deliver(relay, bytes), 'ignore')
  t.equal(await deliver(a, bytes), 'ignore')
  t.equal(d.drops.replayed, 2)
  t.equal(d.peer(a.id.toString()), first, 'the record is unchanged')
  const newer = await announcement(a, clock.now(), 2)
  t.equal(await deliver(relay, newer), 'accept', 'a newer one is taken')
  t.equal(d.peer(a.id.toString())?.announcement.seq, 2)
  t.equal(await deliver(relay, bytes), 'ignore', 'the older bytes, no longer held, are replayed all the same')
  t.equal(d.drops.replayed, 3)
  clock.advance(100_000)
  t.equal(await deliver(relay, newer), 'ignore')
  t.equal(d.drops.stale, 1, 'the held bytes past their expiry are stale')
})

t.test('the held bytes of a member revoked since are refused as revoked, not waved through as a replay', async (t) => {
  const { d, fleet, clock, peers, deliver, fleetKey } = await setup(t, 2)
  const [a, relay] = peers as [Peer, Peer]
  const bytes = await announcement(a, clock.now())
  t.equal(await deliver(a, bytes), 'accept')
  const { added } = await fleet.addRevocation(await issueRevocation(fleetKey, { peerId: a.id.toString() }))
  t.ok(added)
  t.equal(d.peer(a.id.toString()), undefined, 'the record is dropped with the revocation')
  t.equal(await deliver(relay, bytes), 'reject')
  t.equal(d.drops.revoked, 1)
  t.notOk(d.drops.replayed)
})

t.test('of two members that learn of each other at once, the smaller peer ID dials; the greater dials after the grace only when no connection came', async (t) => {
  const { d, clock, self, peers, deliver, dials, connected } = await setup(t, 3, (me, ids) => ids.some((id) => id > me) && ids.filter((id) => id < me).length >= 2)
  const me = self.id.toString()
  const [g] = peers.filter((p) => p.id.toString() > me) as [Peer]
  const smaller = peers.filter((p) => p.id.toString() < me)
  const [s1, s2] = smaller as [Peer, Peer]
  for (const p of [g, s1, s2]) t.equal(await deliver(p, await announcement(p, clock.now())), 'accept')
  t.same(dials, [g.id.toString()], 'a member with a greater peer ID is dialled at once; smaller ones are left to dial us')
  connected.add(s2.id.toString())
  clock.advance(2900)
  t.same(dials, [g.id.toString()], 'nothing more within the grace')
  clock.advance(1000)
  t.same(dials, [g.id.toString(), s1.id.toString()], 'after the grace, the member that did not dial us is dialled; the one that did is not')
  t.equal(d.peers().length, 3)
})

t.test('in a fleet beyond links.maxMonitored, a member this agent does not ping is not dialled', async (t) => {
  const { clock, self, peers, deliver, dials, unwatched } = await setup(t, 2)
  const me = self.id.toString()
  for (const p of peers) unwatched.add(p.id.toString())
  const watched = peers[0] as Peer
  unwatched.delete(watched.id.toString())
  for (const p of peers) t.equal(await deliver(p, await announcement(p, clock.now())), 'accept', 'its announcement is held all the same')
  clock.advance(10_000)
  t.same(dials, [watched.id.toString()], `only the pinged member is dialled (${watched.id.toString() > me ? 'at once' : 'after the grace'})`)
})

t.test('a peer found by mDNS, a bootstrap list or the DHT is dialled while this agent has fewer connections than it pings members', async (t) => {
  const { peers, dials, connected, discover } = await setup(t, 3)
  const [a, b, c] = peers as [Peer, Peer, Peer]
  discover(a.id)
  t.same(dials, [a.id.toString()], 'alone: a candidate is dialled to learn whether it is a member')
  connected.add(a.id.toString())
  discover(b.id)
  t.same(dials, [a.id.toString(), b.id.toString()], 'one connection of the two it pings: dialled')
  connected.add(b.id.toString())
  discover(c.id)
  t.same(dials, [a.id.toString(), b.id.toString()], 'as many connections as it pings members: a stranger waits until gossip tells of it')
})
