import t from 'tap'
import { PhiAccrual, phiOf, transition, initialLink, Links, LinkTelemetry, type LinkStatus, type LinkEvent, type PeerState, type Thresholds } from '../agent/links/index.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { silentLogger } from '../agent/logger.ts'


/** deterministic PRNG (mulberry32) */
function rng (seed: number): () => number {
  let a = seed
  return () => {
    a |= 0; a = a + 0x6D2B79F5 | 0
    let r = Math.imul(a ^ a >>> 15, 1 | a)
    r = r + Math.imul(r ^ r >>> 7, 61 | r) ^ r
    return ((r ^ r >>> 14) >>> 0) / 4294967296
  }
}

const th: Thresholds = { phiSuspect: 5, phiUnreachable: 8, recoverHeartbeats: 2, goneAfterMs: 60_000 }

t.test('phi grows with silence and stays low while heartbeats come on time', async (t) => {
  const d = new PhiAccrual({ expectedIntervalMs: 1000, minStdDevMs: 100 })
  let now = 0
  for (let i = 0; i < 50; i++) { now += 1000; d.heartbeat(now) }
  t.ok(d.phi(now + 1000) < 1, 'on time: low suspicion')
  t.ok(d.phi(now + 1500) > 0.5, 'half an interval late: some suspicion')
  t.ok(d.phi(now + 6000) > 8, 'five intervals late with a clean history: unreachable level')
  // the same silence on a link that loses 30 % of its heartbeats is far less suspicious
  const lossy = new PhiAccrual({ expectedIntervalMs: 1000, minStdDevMs: 100 })
  const r = rng(7)
  let at = 0
  for (let i = 0; i < 100; i++) { at += 1000; if (r() >= 0.3) lossy.heartbeat(at) }
  const lastBeat = lossy.last ?? 0
  t.ok(lossy.missRate > 0.15 && lossy.missRate < 0.45, `miss rate estimated (${lossy.missRate.toFixed(2)})`)
  t.ok(lossy.phi(lastBeat + 6000) < 8, `six silent seconds on a 30 %-loss link: below unreachable (${lossy.phi(lastBeat + 6000).toFixed(1)})`)
  t.ok(lossy.phi(lastBeat + 30_000) > 8, 'thirty silent seconds: unreachable even there')
  let last = 0
  for (let e = 0; e <= 5000; e += 100) { const p = d.phi(now + e); t.ok(p >= last, `monotone at ${e} ms`); last = p }
  t.equal(phiOf(1e9, 1000, 100), 300, 'a huge silence is capped, not Infinity')
  t.equal(new PhiAccrual({ expectedIntervalMs: 1000 }).phi(5000), 0, 'no heartbeat yet: no suspicion')
})

t.test('peer state machine: one transition function, table-driven', async (t) => {
  const s = (state: PeerState, recovery = 0, since = 0): LinkStatus => ({ state, since, recovery })
  const cases: Array<[string, LinkStatus, LinkEvent, PeerState, number]> = [
    ['alive stays alive at low phi', s('alive'), { type: 'tick', now: 1, phi: 1 }, 'alive', 0],
    ['alive → suspect at phiSuspect', s('alive'), { type: 'tick', now: 1, phi: 5 }, 'suspect', 0],
    ['alive → unreachable at phiUnreachable', s('alive'), { type: 'tick', now: 1, phi: 9 }, 'unreachable', 0],
    ['alive + heartbeat stays alive', s('alive'), { type: 'heartbeat', now: 1 }, 'alive', 0],
    ['suspect + one heartbeat: not yet alive (hysteresis)', s('suspect'), { type: 'heartbeat', now: 1 }, 'suspect', 1],
    ['suspect + second heartbeat → alive', s('suspect', 1), { type: 'heartbeat', now: 1 }, 'alive', 0],
    ['suspect → unreachable at phiUnreachable', s('suspect', 1), { type: 'tick', now: 1, phi: 8 }, 'unreachable', 0],
    ['suspect, overdue again: the recovery run restarts', s('suspect', 1), { type: 'tick', now: 1, phi: 6 }, 'suspect', 0],
    ['suspect stays suspect between thresholds', s('suspect'), { type: 'tick', now: 1, phi: 6 }, 'suspect', 0],
    ['unreachable + one heartbeat: still unreachable', s('unreachable'), { type: 'heartbeat', now: 1 }, 'unreachable', 1],
    ['unreachable + second heartbeat → alive', s('unreachable', 1), { type: 'heartbeat', now: 1 }, 'alive', 0],
    ['unreachable → gone after goneAfter', s('unreachable', 0, 0), { type: 'tick', now: 60_000, phi: 20 }, 'gone', 0],
    ['unreachable before goneAfter stays', s('unreachable', 0, 0), { type: 'tick', now: 59_999, phi: 20 }, 'unreachable', 0],
    ['gone ignores ticks', s('gone'), { type: 'tick', now: 1, phi: 0 }, 'gone', 0],
    ['gone + heartbeats comes back', s('gone', 1), { type: 'heartbeat', now: 1 }, 'alive', 0]
  ]
  for (const [name, from, ev, state, recovery] of cases) {
    const next = transition(from, ev, th)
    t.equal(next.state, state, name)
    t.equal(next.recovery, recovery, `${name} (recovery count)`)
  }
  t.equal(transition(initialLink(0), { type: 'tick', now: 5, phi: 6 }, th).since, 5, 'entering a state records when')
})

t.test('telemetry: SRTT/RTTVAR like TCP, loss over a window, ETX from loss', async (t) => {
  const tel = new LinkTelemetry(10)
  tel.rtt(100)
  t.equal(tel.srttMs, 100)
  t.equal(tel.rttVarMs, 50)
  tel.rtt(200)
  t.equal(tel.srttMs, 112.5, 'srtt = 7/8 srtt + 1/8 r')
  t.equal(tel.rttVarMs, 62.5, 'rttvar = 3/4 rttvar + 1/4 |srtt - r|')
  for (let i = 0; i < 8; i++) tel.rtt(100)
  t.equal(tel.loss, 0)
  t.equal(tel.etx, 1)
  for (let i = 0; i < 5; i++) tel.failure()
  t.equal(tel.loss, 0.5, 'window of 10: 5 of the last 10 lost')
  t.equal(tel.etx, 2)
  for (let i = 0; i < 10; i++) tel.failure()
  t.equal(tel.etx, undefined, 'nothing gets through: no ETX')
})

function fleetOfLinks (clock: ManualClock, init: { loss?: number, seed?: number, dead?: Set<string> }) {
  const random = rng(init.seed ?? 1)
  const links = new Links({ pingIntervalMs: 200, pingTimeoutMs: 400, phiSuspect: 5, phiUnreachable: 8, recoverHeartbeats: 2, goneAfterMs: 600_000, minStdDevMs: 50 }, {
    clock,
    logger: silentLogger().forComponent('test'),
    ping: async (peerId) => {
      if (init.dead?.has(peerId) === true) throw new Error('connection refused')
      return 1
    },
    // the seeded loss model: each heartbeat is lost with probability `loss`
    dropHeartbeat: () => random() < (init.loss ?? 0)
  })
  return links
}

t.test('30% random loss (seeded) does not take a live peer to unreachable in 2000 ping intervals', async (t) => {
  for (const seed of [1, 2, 3]) {
    const clock = new ManualClock()
    const links = fleetOfLinks(clock, { loss: 0.3, seed })
    const seen = new Set<PeerState>()
    links.onChange((_p, _from, to) => { seen.add(to) })
    links.track('peer-a')
    links.start()
    await clock.advance(2000 * 200)
    links.stop()
    t.notOk(seen.has('unreachable'), `seed ${seed}: never unreachable (states entered: ${[...seen].join(', ') || 'none'})`)
    const info = links.get('peer-a')
    t.ok(info != null && info.loss != null && info.loss > 0.05, `seed ${seed}: the loss is visible in telemetry (${info?.loss})`)
  }
})

t.test('a dead peer is unreachable within the bound, and alive again after it comes back', async (t) => {
  const clock = new ManualClock()
  const dead = new Set<string>()
  const links = fleetOfLinks(clock, { dead })
  links.track('peer-b')
  links.start()
  await clock.advance(20_000)
  t.equal(links.state('peer-b'), 'alive')
  dead.add('peer-b')
  const killedAt = clock.now()
  let unreachableAt: number | undefined
  links.onChange((_p, _from, to) => { if (to === 'unreachable') unreachableAt ??= clock.now() })
  await clock.advance(5000)
  t.equal(links.state('peer-b'), 'unreachable')
  t.ok(unreachableAt != null && unreachableAt - killedAt <= 2000, `detected after ${(unreachableAt ?? NaN) - killedAt} ms (bound: 10 ping intervals)`)
  dead.delete('peer-b')
  await clock.advance(3000)
  t.equal(links.state('peer-b'), 'alive', 'back to alive after recoverHeartbeats answers')
  links.stop()
})

t.test('unreachable peers become gone after goneAfter and are no longer pinged', async (t) => {
  const clock = new ManualClock()
  let pings = 0
  const links = new Links({ pingIntervalMs: 100, goneAfterMs: 2000, minStdDevMs: 20 }, {
    clock, logger: silentLogger().forComponent('test'), ping: async () => { pings++; throw new Error('down') }
  })
  links.track('p')
  links.start()
  await clock.advance(5000)
  t.equal(links.state('p'), 'gone')
  const before = pings
  await clock.advance(5000)
  t.equal(pings, before, 'no pings to a gone peer')
  links.stop()
})
