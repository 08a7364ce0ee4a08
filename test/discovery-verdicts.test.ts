/**
 * Detection across the fleet: a watcher's signed verdict that a member is
 * unreachable, checked like any gossip, taken by members that do not ping
 * that member, and refuted by the member itself when it is alive; and a ping
 * cut short when the connection it rode on closes.
 */
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { Links, transition, initialLink, type PeerState } from '../agent/links/index.ts'
import { silentLogger } from '../agent/logger.ts'
import { systemClock } from '../agent/clock.ts'
import { Agent } from '../agent/system.ts'
import { makeVerdict, openVerdict, MAX_VERDICT_BYTES, VERDICT_MAX_AGE_MS } from '../protocol/verdict/index.ts'
import { Verdict } from '../protocol/pb/verdict.js'
import { startFleetMember, tempDir, type TapLike } from './helpers/agent.ts'

const th = { phiSuspect: 5, phiUnreachable: 8, recoverHeartbeats: 2, goneAfterMs: 60_000 }

t.test('verdicts are checked: shape, age, membership and the watcher\'s signature', async (t) => {
  const watcherKey = await generateKeyPair('Ed25519')
  const watcher = peerIdFromPrivateKey(watcherKey).toString()
  const subject = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const outsider = await generateKeyPair('Ed25519')
  const now = 1_800_000_000_000
  const members = new Set([watcher, subject])
  const o = { now, isMember: (p: string) => members.has(p) }
  const good = await makeVerdict(watcherKey, { watcher, subject, subjectSeq: 7, issuedMs: now - 1000 })
  const r = await openVerdict(good, o)
  t.same(r, { ok: true, verdict: { watcher, subject, subjectSeq: 7, issuedMs: now - 1000 } }, 'a member\'s verdict opens')
  const reason = async (bytes: Uint8Array, opts = o): Promise<string> => { const x = await openVerdict(bytes, opts); return x.ok ? 'ok' : x.reason }
  t.equal(await reason(await makeVerdict(outsider, { watcher, subject, subjectSeq: 7, issuedMs: now })), 'bad-signature', 'signed by someone else in the watcher\'s name')
  const body = Verdict.decode(good)
  t.equal(await reason(Verdict.encode({ ...body, subjectSeq: 6 })), 'bad-signature', 'an altered sequence number')
  t.equal(await reason(await makeVerdict(watcherKey, { watcher, subject, subjectSeq: 7, issuedMs: now - VERDICT_MAX_AGE_MS - 1 })), 'stale', 'too old')
  t.equal(await reason(await makeVerdict(watcherKey, { watcher, subject, subjectSeq: 7, issuedMs: now + VERDICT_MAX_AGE_MS + 1 })), 'stale', 'from the future')
  t.equal(await reason(good, { now, isMember: (p) => p === subject }), 'non-member', 'a watcher outside the fleet')
  t.equal(await reason(good, { now, isMember: (p) => p === watcher }), 'non-member', 'a subject outside the fleet')
  t.equal(await reason(await makeVerdict(watcherKey, { watcher, subject: watcher, subjectSeq: 1, issuedMs: now })), 'malformed', 'about its own watcher')
  t.equal(await reason(new Uint8Array([0xff, 0xff, 0xff])), 'malformed', 'garbage')
  t.equal(await reason(new Uint8Array(MAX_VERDICT_BYTES + 1)), 'oversized')
  // field 3 (subject_seq) once more, as a varint of 2^60: the last one read wins
  t.equal(await reason(new Uint8Array([...good, 0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])), 'malformed', 'a sequence number beyond 2^53')
})

t.test('a verdict takes an alive or suspect peer to unreachable; hearing from it after brings it back at once', async (t) => {
  const alive = initialLink(0)
  t.equal(transition(alive, { type: 'verdict', now: 1 }, th).state, 'unreachable')
  t.equal(transition({ state: 'suspect', since: 0, recovery: 0 }, { type: 'verdict', now: 1 }, th).state, 'unreachable')
  t.equal(transition({ state: 'gone', since: 0, recovery: 0 }, { type: 'verdict', now: 1 }, th).state, 'gone', 'a gone peer stays gone')
  t.equal(transition({ state: 'unreachable', since: 0, recovery: 0 }, { type: 'refuted', now: 1 }, th).state, 'alive')
  t.equal(transition(alive, { type: 'refuted', now: 1 }, th), alive, 'nothing to refute')
})

async function until (what: string, fn: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('the failure detector takes verdicts only about peers it does not ping', async (t) => {
  const pinged: string[] = []
  const links = new Links({ pingIntervalMs: 10_000, pingTimeoutMs: 2000, maxMonitored: 1, passiveIntervalMs: 60_000, verdictGraceMs: 300 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    selfPeerId: 'self',
    ping: async (p) => { pinged.push(p); return 1 }
  })
  const changes: Array<{ peer: string, to: PeerState }> = []
  links.onChange((peer, _from, to) => changes.push({ peer, to }))
  links.start()
  t.teardown(() => { links.stop() })
  const peers = ['p1', 'p2', 'p3', 'p4']
  for (const p of peers) { links.track(p); links.heartbeat(p) }
  await until('one peer to be chosen for pings', () => peers.filter((p) => links.monitored(p)).length === 1)
  const watched = peers.find((p) => links.monitored(p)) as string
  const [a, b] = peers.filter((p) => p !== watched) as [string, string]

  await t.test('one watcher: unreachable once the grace passed unrefuted', async (t) => {
    t.equal(links.condemn(a, 'w1'), true)
    t.equal(links.state(a), 'alive', 'not at once')
    await until('the grace to pass', () => links.state(a) === 'unreachable', 3000)
    t.pass('unreachable after the grace')
    links.heartbeat(a)
    t.equal(links.state(a), 'alive', 'one heartbeat (a newer announcement) brings it back at once')
  })

  await t.test('two watchers: unreachable at once', async (t) => {
    links.condemn(b, 'w1')
    links.condemn(b, 'w1')
    t.equal(links.state(b), 'alive', 'the same watcher twice is one watcher')
    links.condemn(b, 'w2')
    t.equal(links.state(b), 'unreachable')
    links.heartbeat(b)
    t.equal(links.state(b), 'alive')
  })

  await t.test('refuted within the grace: never unreachable', async (t) => {
    const before = changes.length
    links.condemn(a, 'w3')
    links.heartbeat(a)
    await new Promise((resolve) => setTimeout(resolve, 600))
    t.equal(links.state(a), 'alive')
    t.same(changes.slice(before).filter((c) => c.peer === a), [], 'no state change at all')
  })

  await t.test('a peer this agent pings is pinged at once instead', async (t) => {
    await until('the first round of pings', () => pinged.includes(watched), 15_000)
    const n = pinged.filter((p) => p === watched).length
    t.equal(links.condemn(watched, 'w1'), false, 'the verdict is not taken')
    await until('a ping right after the verdict', () => pinged.filter((p) => p === watched).length > n, 3000)
    t.equal(links.state(watched), 'alive', 'and its answer decides')
  })
})

interface Member { agent: Agent, key: PrivateKey }

async function member (t: TapLike, fleetKey: PrivateKey, bootstrap: string[], verdicts: boolean): Promise<Member> {
  const agent = await startFleetMember(tempDir(t), fleetKey, bootstrap, {
    // one watcher per member; the others hear of it only through announcements, once an hour
    discovery: { announceInterval: '1h', verdicts },
    links: { pingInterval: '500ms', pingTimeout: '1s', maxMonitored: 1 }
  })
  t.teardown(async () => { await agent.stop() })
  if (agent.identity == null) throw new Error('agent has no identity')
  return { agent, key: agent.identity.privateKey }
}

const disc = (a: Agent) => {
  const d = a.discovery?.discovery
  if (d == null) throw new Error('discovery not running')
  return d
}
const lnk = (a: Agent) => {
  const l = a.discovery?.links
  if (l == null) throw new Error('links not running')
  return l
}

async function fleet (t: TapLike, verdicts: boolean): Promise<Member[]> {
  const fleetKey = await generateKeyPair('Ed25519')
  const first = await member(t, fleetKey, [], verdicts)
  const boot = [first.agent.listenAddrs()[0] as string]
  const rest = [await member(t, fleetKey, boot, verdicts), await member(t, fleetKey, boot, verdicts), await member(t, fleetKey, boot, verdicts)]
  const all = [first, ...rest]
  await until('every member to know every other', () => all.every((m) => disc(m.agent).peers().length === 3), 20_000)
  // each member's verdicts need a gossip mesh to travel on
  if (verdicts) {
      await until('the verdict topic to reach every member', () => all.every((m) => {
      const ps = (m.agent.node?.services as unknown as { pubsub: { getSubscribers: (topic: string) => unknown[] } }).pubsub
      return ps.getSubscribers(disc(m.agent).verdictTopic).length >= 1
    }), 20_000)
  }
  return all
}

/** stops the last member as a kill does (its sockets close at once); who watched it, who did not */
async function stopOne (all: Member[]): Promise<{ vid: string, others: Member[], watchers: Member[] }> {
  const victim = all[all.length - 1] as Member
  const vid = victim.agent.peerId
  const others = all.slice(0, -1)
  const watchers = others.filter((m) => lnk(m.agent).monitored(vid))
  await victim.agent.node?.stop()
  await victim.agent.stop()
  return { vid, others, watchers }
}

t.test('a stopped member is found unreachable by the members that never pinged it, through its watcher\'s verdict', async (t) => {
  await t.test('with verdicts', async (t) => {
    const { vid, others, watchers } = await stopOne(await fleet(t, true))
    t.ok(watchers.length >= 1 && watchers.length < 3, `watched by ${watchers.length} of 3: others judge it by announcements`)
    await until('every other member to mark it unreachable', () => others.every((m) => lnk(m.agent).state(vid) === 'unreachable'), 30_000)
    t.pass('all three mark it unreachable')
    t.ok(watchers.some((m) => (disc(m.agent).verdictCounts.published ?? 0) >= 1), 'its watcher published a verdict')
    const takers = others.filter((m) => !lnk(m.agent).monitored(vid))
    t.ok(takers.every((m) => (disc(m.agent).verdictCounts.taken ?? 0) >= 1), 'the others took it')
  })

  await t.test('without verdicts the members that do not ping it do not know', async (t) => {
    const { vid, others, watchers } = await stopOne(await fleet(t, false))
    await until('its watchers to mark it unreachable', () => watchers.every((m) => lnk(m.agent).state(vid) === 'unreachable'), 30_000)
    await new Promise((resolve) => setTimeout(resolve, 4000))
    const unaware = others.filter((m) => !lnk(m.agent).monitored(vid))
    t.ok(unaware.length > 0 && unaware.every((m) => lnk(m.agent).state(vid) === 'alive'), 'the others still take it for alive')
  })
})

t.test('a false verdict about a living member is refuted by the member itself', async (t) => {
  const all = await fleet(t, true)
  const [liar, subject, ...rest] = all as [Member, Member, Member, Member]
  const sid = subject.agent.peerId
  // bystanders that do not ping the subject: they are the ones a verdict could mislead
  const misled = rest.filter((m) => !lnk(m.agent).monitored(sid))
  const seq = disc(subject.agent).sequence
  const bytes = await makeVerdict(liar.key, { watcher: liar.agent.peerId, subject: sid, subjectSeq: disc(liar.agent).peer(sid)?.announcement.seq ?? 0, issuedMs: Date.now() })
  // a member signs a verdict in its own name and gossips it
  const ps = (liar.agent.node?.services as unknown as { pubsub: { publish: (topic: string, data: Uint8Array) => Promise<unknown> } }).pubsub
  const seen: PeerState[] = []
  const timer = setInterval(() => { for (const m of misled) seen.push(lnk(m.agent).state(sid) as PeerState) }, 20)
  t.teardown(() => { clearInterval(timer) })
  await ps.publish(disc(liar.agent).verdictTopic, bytes)
  await until('the subject to announce again', () => disc(subject.agent).sequence > seq, 10_000)
  t.ok((disc(subject.agent).verdictCounts['refuted-self'] ?? 0) >= 1, 'it read the verdict about itself')
  await until('every member to hold the new announcement', () => rest.every((m) => (disc(m.agent).peer(sid)?.announcement.seq ?? 0) > seq), 10_000)
  await new Promise((resolve) => setTimeout(resolve, 3500))
  clearInterval(timer)
  t.ok(misled.length >= 1 && seen.length > 0, 'at least one bystander does not ping the subject (one watcher each), and it was watched')
  t.notOk(seen.includes('unreachable'), `no bystander took the living member for unreachable (${misled.length} that do not ping it)`)
  t.ok(rest.every((m) => lnk(m.agent).state(sid) === 'alive'), 'alive everywhere')
  // the same verdict again, now about an older announcement: refuted on arrival
  // another member's verdict naming the old announcement
  const [signer, ...bystanders] = rest as [Member, Member]
  const receivers = [liar, ...bystanders]
  const stale = receivers.map((m) => disc(m.agent).verdictCounts.refuted ?? 0)
  const again = await makeVerdict(signer.key, { watcher: signer.agent.peerId, subject: sid, subjectSeq: seq, issuedMs: Date.now() })
  const signerPs = (signer.agent.node?.services as unknown as { pubsub: { publish: (topic: string, data: Uint8Array) => Promise<unknown> } }).pubsub
  await signerPs.publish(disc(signer.agent).verdictTopic, again)
  await until('the old verdict to be refuted on arrival', () => receivers.some((m, i) => (disc(m.agent).verdictCounts.refuted ?? 0) > (stale[i] as number)), 10_000)
  t.pass('a verdict naming an older announcement is refuted')
  // what the gossip validator answers, which decides whether the forwarder loses score: only provable forgeries do
  const validate = (liar.agent.node?.services as unknown as { pubsub: { topicValidators: Map<string, (from: unknown, msg: { data: Uint8Array }) => Promise<string>> } }).pubsub.topicValidators.get(disc(liar.agent).verdictTopic)
  const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const forwarder = signer.agent.node?.peerId
  t.equal(await validate?.(forwarder, { data: await makeVerdict(signer.key, { watcher: signer.agent.peerId, subject: stranger, subjectSeq: 1, issuedMs: Date.now() }) }), 'ignore', 'about a member not verified here yet: ignored, the forwarder keeps its score')
  t.equal(await validate?.(forwarder, { data: await makeVerdict(signer.key, { watcher: signer.agent.peerId, subject: sid, subjectSeq: 99, issuedMs: Date.now() - 120_000 }) }), 'ignore', 'an old one: ignored')
  t.equal(await validate?.(forwarder, { data: await makeVerdict(liar.key, { watcher: signer.agent.peerId, subject: sid, subjectSeq: 99, issuedMs: Date.now() }) }), 'reject', 'a forged signature: rejected')
})

t.test('a ping out when the peer\'s last connection closes ends then, not at its timeout', async (t) => {
  const fleetKey = await generateKeyPair('Ed25519')
  const make = async (bootstrap: string[]): Promise<Agent> => {
    const agent = await startFleetMember(tempDir(t), fleetKey, bootstrap, { discovery: { announceInterval: '1h' }, links: { pingInterval: '500ms', pingTimeout: '20s', beacon: false } })
    t.teardown(async () => { await agent.stop() })
    return agent
  }
  const a = await make([])
  const b = await make([a.listenAddrs()[0] as string])
  await until('A to ping B', () => (lnk(a).get(b.peerId)?.pings ?? 0) > 0, 20_000)
  // B takes pings and never answers them: A's next ping stays out
  const PING = '/ipfs/ping/1.0.0'
  await b.node?.unhandle(PING)
  let silent = 0
  await b.node?.handle(PING, () => { silent++ }, { maxInboundStreams: 8 })
  // the stream A holds still has the handler that echoes: B ends it, and A's next ping goes on a new one
  // (a copy: an aborted stream leaves c.streams at once, which would skip the next one)
  for (const c of b.node?.getConnections(a.node!.peerId) ?? []) for (const s of [...c.streams]) if (s.protocol === PING) s.abort(new Error('handler replaced'))
  await until('A to ping on a stream nobody answers', () => silent > 0, 20_000)
  const failures = lnk(a).get(b.peerId)?.pingFailures ?? 0
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(lnk(a).get(b.peerId)?.pingFailures, failures, 'a ping is out, unanswered, within its 20 s timeout')
  const closedAt = Date.now()
  await b.node?.hangUp(a.node!.peerId)
  await until('the ping to fail', () => (lnk(a).get(b.peerId)?.pingFailures ?? 0) > failures, 10_000)
  t.ok(Date.now() - closedAt < 10_000, `it failed ${Date.now() - closedAt} ms after the connection closed`)
})
