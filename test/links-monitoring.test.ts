/**
 * Large fleets: an agent pings at most links.maxMonitored members: those it
 * has leases with, then a stable share of the rest, so that every member is
 * watched by about that many others; the others are judged by their
 * announcements. A watched member that dies gives its place to a living one.
 */
import t from 'tap'
import { Links, ringDistance, type PeerState } from '../agent/links/index.ts'
import { silentLogger } from '../agent/logger.ts'
import { systemClock } from '../agent/clock.ts'

const until = async (what: string, fn: () => boolean, ms = 8000): Promise<void> => {
  const end = Date.now() + ms
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('every member is watched by exactly maxMonitored others when all know all', async (t) => {
  const n = 200
  const k = 8
  const ids = Array.from({ length: n }, (_, i) => `12D3KooWpeer${i.toString().padStart(4, '0')}`)
  const watchers = new Map<string, number>(ids.map((id) => [id, 0]))
  for (const self of ids) {
    const mine = ids.filter((p) => p !== self).sort((a, b) => ringDistance(self, a) - ringDistance(self, b)).slice(0, k)
    for (const p of mine) watchers.set(p, (watchers.get(p) ?? 0) + 1)
  }
  t.same(new Set(watchers.values()), new Set([k]), 'every member has exactly k watchers')
  t.not(ringDistance('a', 'b'), ringDistance('b', 'a'), 'the rank depends on who looks')
})

t.test('pings go to the pinned peers and the lowest ranks; the rest live on announcements', async (t) => {
  const pinged = new Map<string, number>()
  const dead = new Set<string>()
  const pinned = new Set<string>()
  const self = 'self'
  const peers = Array.from({ length: 10 }, (_, i) => `peer-${i}`)
  const links = new Links({ pingIntervalMs: 40, pingTimeoutMs: 60, maxMonitored: 3, passiveIntervalMs: 300 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    selfPeerId: self,
    pinned: () => pinned,
    ping: async (p, { signal }) => {
      pinged.set(p, (pinged.get(p) ?? 0) + 1)
      if (!dead.has(p)) return 1
      return await new Promise<number>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('timed out')) }, { once: true }) })
    }
  })
  const changes: Array<{ peer: string, to: PeerState }> = []
  links.onChange((peer, _from, to) => changes.push({ peer, to }))
  const ranked = [...peers].sort((a, b) => ringDistance(self, a) - ringDistance(self, b))
  pinned.add(ranked[9] as string)
  links.start()
  t.teardown(() => { links.stop() })
  for (const p of peers) links.track(p)
  // announcements from everyone, every 100 ms (a third of the expected interval: well inside it)
  let announcing = new Set(peers)
  const gossip = setInterval(() => { for (const p of announcing) links.heartbeat(p) }, 100)
  t.teardown(() => { clearInterval(gossip) })

  const watched = [ranked[9], ranked[0], ranked[1]] as string[]
  const chosen = (): string => peers.filter((p) => links.monitored(p)).sort().join(',')
  await until('the choice to settle on the pinned peer and the two nearest', () => chosen() === [...watched].sort().join(','))
  t.pass('the pinned peer and the two nearest successors are chosen')
  pinged.clear()
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.same([...pinged.keys()].sort(), [...watched].sort(), 'only those are pinged')
  t.ok(peers.every((p) => links.state(p) === 'alive'), 'everyone alive: the rest on their announcements')
  t.equal(links.get(ranked[5] as string)?.monitored, false)

  // a member that stops announcing, unwatched, goes unreachable on the announcement interval
  announcing = new Set(peers.filter((p) => p !== ranked[5]))
  await until('the silent unwatched member to become unreachable', () => links.state(ranked[5] as string) === 'unreachable', 10_000)
  t.notOk(pinged.has(ranked[5] as string), 'without ever being pinged')

  // a watched member dies: unreachable, and the next rank takes its place
  dead.add(ranked[0] as string)
  announcing.delete(ranked[0] as string)
  await until('the dead watched member to become unreachable', () => links.state(ranked[0] as string) === 'unreachable')
  await until('its place to go to the next living rank', () => links.monitored(ranked[2] as string))
  t.notOk(links.monitored(ranked[0] as string), 'the dead one is no longer pinged')
  t.equal(peers.filter((p) => links.monitored(p)).length, 3, 'still three pinged')
  t.ok(changes.filter((c) => c.to === 'unreachable').every((c) => c.peer === ranked[0] || c.peer === ranked[5]), 'no living member was declared unreachable')
})

t.test('maxMonitored 0: every peer is pinged, as in a small fleet', async (t) => {
  const pinged = new Set<string>()
  const links = new Links({ pingIntervalMs: 30, maxMonitored: 0 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    ping: async (p) => { pinged.add(p); return 1 }
  })
  links.start()
  t.teardown(() => { links.stop() })
  for (let i = 0; i < 20; i++) links.track(`p${i}`)
  await until('every peer to be pinged', () => pinged.size === 20)
  t.ok(links.list().every((l) => l.monitored))
})

t.test('a watched member that announces but does not answer pings keeps its place while it is heard from', async (t) => {
  const self = 'self'
  const peers = Array.from({ length: 6 }, (_, i) => `peer-${i}`)
  const ranked = [...peers].sort((a, b) => ringDistance(self, a) - ringDistance(self, b))
  const mute = ranked[0] as string
  const next = ranked[2] as string
  const links = new Links({ pingIntervalMs: 40, pingTimeoutMs: 60, maxMonitored: 2, passiveIntervalMs: 2000 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    selfPeerId: self,
    ping: async (p, { signal }) => {
      if (p !== mute) return 1
      return await new Promise<number>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('timed out')) }, { once: true }) })
    }
  })
  let nextWatched = false
  links.start()
  t.teardown(() => { links.stop() })
  // as discovery does: a member is tracked when its announcement arrives, which is a heartbeat
  for (const p of peers) { links.track(p); links.heartbeat(p) }
  t.same(peers.filter((p) => links.monitored(p)).sort(), [ranked[0], ranked[1]].sort(), 'the two nearest are watched')
  // announcements far apart next to the pings (as 30 s against 1 s): longer than the 16 silent ping intervals a lossy link is allowed
  const gossip = setInterval(() => { for (const p of peers) links.heartbeat(p) }, 900)
  t.teardown(() => { clearInterval(gossip) })
  const watch = setInterval(() => { if (links.monitored(next)) nextWatched = true }, 10)
  t.teardown(() => { clearInterval(watch) })
  await until('the mute member to become unreachable', () => links.state(mute) === 'unreachable')
  await new Promise((resolve) => setTimeout(resolve, 2000))
  t.ok(links.monitored(mute), 'still watched: it is heard from')
  t.notOk(nextWatched, 'its place never went to the next on the ring')
  // once it falls silent too, it gives its place up
  clearInterval(gossip)
  const silent = setInterval(() => { for (const p of peers) if (p !== mute) links.heartbeat(p) }, 900)
  t.teardown(() => { clearInterval(silent) })
  await until('its place to go to the next living member', () => links.monitored(next), 10_000)
  t.notOk(links.monitored(mute))
})

t.test('a member not pinged is judged on the period its announcements say, not the configured one', async (t) => {
  const self = 'self'
  const peers = ['p-a', 'p-b', 'p-c']
  const ranked = [...peers].sort((a, b) => ringDistance(self, a) - ringDistance(self, b))
  const [, steady, quiet] = ranked as [string, string, string]
  const states = new Map<string, PeerState[]>()
  const links = new Links({ pingIntervalMs: 40, pingTimeoutMs: 60, maxMonitored: 1, passiveIntervalMs: 60 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    selfPeerId: self,
    ping: async () => 1
  })
  links.onChange((peer, _from, to) => { states.set(peer, [...(states.get(peer) ?? []), to]) })
  links.start()
  t.teardown(() => { links.stop() })
  for (const p of peers) { links.track(p); links.heartbeat(p) }
  t.same(peers.filter((p) => links.monitored(p)), [ranked[0]], 'one member pinged, two judged by their announcements')
  // both say they announce every second (a large fleet's longer period), where this agent's own period is 60 ms,
  // and announce every 700 ms
  links.expectAnnouncements(steady, 1000)
  links.expectAnnouncements(quiet, 1000)
  const gossip = setInterval(() => { for (const p of [steady, quiet]) links.heartbeat(p) }, 700)
  t.teardown(() => { clearInterval(gossip) })
  await new Promise((resolve) => setTimeout(resolve, 3000))
  clearInterval(gossip)
  const rest = setInterval(() => { links.heartbeat(steady) }, 700)
  t.teardown(() => { clearInterval(rest) })
  const silentAt = Date.now()
  await until(`${quiet} to be found unreachable once silent`, () => links.state(quiet) === 'unreachable', 20_000)
  const after = Date.now() - silentAt
  // against the 60 ms period it would be about 16 of those (a link that seemed to lose most heartbeats): 1 s
  t.ok(after >= 2500, `a silent member is found unreachable after several of its own periods, not of ours (${after} ms)`)
  t.equal(links.state(steady), 'alive', 'the member announcing at the period it said stays alive')
  t.notOk(states.get(steady)?.some((s) => s !== 'alive'), 'and was never suspected')
})
