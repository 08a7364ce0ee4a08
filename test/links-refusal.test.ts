/**
 * A killed peer refuses every dial. Three refusals, half an interval apart,
 * mark it unreachable whatever loss its link showed and however slow its
 * pings were: a refused round gives the beacon already out only a short
 * grace to prove the peer alive, not three ping round trips (which on a busy
 * host take most of the ping timeout). A lossy but living link never
 * refuses, so it never takes that path.
 */
import t from 'tap'
import { LinkLostError, Links, PeerRefusedError, REFUSAL_GRACE_FLOOR_MS, type PeerState } from '../agent/links/index.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { silentLogger } from '../agent/logger.ts'


type Fate = 'ok' | 'lost' | 'refused' | 'closed'

const INTERVAL = 1000
const TIMEOUT = 2000
/** what a ping takes on a busy host (20 agents in one process): slow, yet in time */
const SLOW_RTT = 600

/** Links over one scripted peer with a beacon: `fate()` decides each round; an answered ping takes `rttMs`. */
function scripted (clock: ManualClock, fate: () => Fate, rttMs = SLOW_RTT) {
  let current: Fate = 'ok'
  const hang = async (signal: AbortSignal): Promise<number> => await new Promise<number>((_resolve, reject) => {
    // no answer until the round's deadline (on the test's clock) or until the round gives up on it
    const timer = clock.setTimeout(() => { reject(new Error('timed out')) }, TIMEOUT)
    signal.addEventListener('abort', () => { timer.clear(); reject(signal.reason) }, { once: true })
  })
  let beacons = 0
  const links = new Links({ pingIntervalMs: INTERVAL, pingTimeoutMs: TIMEOUT }, {
    clock,
    logger: silentLogger().forComponent('test'),
    ping: async (_p, { signal }) => {
      current = fate()
      if (current === 'refused') throw new PeerRefusedError('connect ECONNREFUSED')
      if (current === 'closed') throw new LinkLostError('the connection closed')
      if (current === 'lost') return await hang(signal)
      await new Promise((resolve) => clock.setTimeout(() => { resolve(undefined) }, rttMs))
      return rttMs
    },
    // the beacon shares the round's fate: a lost round loses both, a dead peer answers neither
    beacon: async (_p, { signal }) => {
      beacons++
      if (current === 'ok') return 1
      return await hang(signal)
    }
  })
  const entered: Array<{ to: PeerState, at: number }> = []
  links.onChange((_p, _from, to) => { entered.push({ to, at: clock.now() }) })
  return { links, entered, beacons: () => beacons }
}

t.test('a killed peer whose pings were slow and lossy is unreachable within a few intervals of its first refusal', async (t) => {
  const clock = new ManualClock(async () => { await new Promise((resolve) => setImmediate(resolve)) })
  let mode: 'lossy' | 'dead' = 'lossy'
  let n = 0
  // every third round is lost: the detector learns a high miss rate, so silence alone would take many intervals
  const { links, entered, beacons } = scripted(clock, () => mode === 'dead' ? 'refused' : (++n % 3 === 0 ? 'lost' : 'ok'))
  links.track('p')
  links.start()
  t.teardown(() => { links.stop() })
  await clock.advance(120_000)
  t.notOk(entered.some((e) => e.to === 'unreachable'), 'the slow, lossy but living link was never declared dead')
  t.ok((links.get('p')?.rttMs ?? 0) >= SLOW_RTT / 2, `pings were slow (SRTT ${links.get('p')?.rttMs} ms)`)
  t.ok(beacons() > 0, 'beacons went out beside the pings of the troubled link')
  const killedAt = clock.now()
  mode = 'dead'
  await clock.advance(15_000)
  const down = entered.find((e) => e.to === 'unreachable' && e.at >= killedAt)
  t.ok(down != null, 'unreachable once dials are refused')
  // the round in flight at the kill (up to a timeout), then three refusals half an interval apart, each held up by
  // at most a quarter interval of beacon grace; three ping round trips of grace each would take over 6 s
  const took = (down?.at ?? Infinity) - killedAt
  t.ok(took <= TIMEOUT + 3 * (INTERVAL / 2 + Math.max(REFUSAL_GRACE_FLOOR_MS, INTERVAL / 4)), `after ${took} ms`)
})

t.test('a refused round ends a short grace after its refusal, and the next one begins half an interval after it', async (t) => {
  const clock = new ManualClock(async () => { await new Promise((resolve) => setImmediate(resolve)) })
  let dead = false
  const pingsAt: number[] = []
  const { links } = scripted(clock, () => { if (dead) pingsAt.push(clock.now()); return dead ? 'refused' : 'ok' })
  links.track('p')
  links.start()
  t.teardown(() => { links.stop() })
  await clock.advance(30_000)
  t.equal(links.state('p'), 'alive')
  dead = true
  await clock.advance(10_000)
  t.ok(pingsAt.length >= 3, `${pingsAt.length} refused pings`)
  const gaps = pingsAt.slice(1, 3).map((at, i) => at - (pingsAt[i] as number))
  // the next round starts on the first tick (a quarter interval apart) half an interval after the refused one began
  t.ok(gaps.every((g) => g <= INTERVAL / 2 + INTERVAL / 4), `refusals retried ${gaps.join(', ')} ms apart`)
  t.equal(links.state('p'), 'unreachable')
})

t.test('a ping whose connection closes under it ends its round a short grace later, and the next round follows at once', async (t) => {
  const clock = new ManualClock(async () => { await new Promise((resolve) => setImmediate(resolve)) })
  let closeNext = false
  const pingsAt: number[] = []
  const { links, entered } = scripted(clock, () => {
    pingsAt.push(clock.now())
    if (closeNext) { closeNext = false; return 'closed' }
    return 'ok'
  })
  links.track('p')
  links.start()
  t.teardown(() => { links.stop() })
  await clock.advance(30_000)
  const from = pingsAt.length
  closeNext = true
  await clock.advance(INTERVAL + 1)
  const [closedAt, nextAt] = pingsAt.slice(from)
  t.ok(closedAt != null && nextAt != null, 'a ping after the one that lost its connection')
  // the beacon out beside it (the link was slow, so beacons go with every ping) gets the refusal's grace, then the next tick dials
  const gap = (nextAt ?? Infinity) - (closedAt ?? 0)
  t.ok(gap <= Math.max(REFUSAL_GRACE_FLOOR_MS, INTERVAL / 4) + INTERVAL / 4, `next ping ${gap} ms after the lost one`)
  await clock.advance(10_000)
  t.equal(links.state('p'), 'alive', 'a lost connection adds nothing to phi: the living peer never left alive')
  t.notOk(entered.some((e) => e.to !== 'alive'), 'no state change at all')
})

t.test('a member whose last connection closes is pinged at the next tick, and unreachable within a few refusals', async (t) => {
  const clock = new ManualClock(async () => { await new Promise((resolve) => setImmediate(resolve)) })
  let dead = false
  const pingsAt: number[] = []
  // a clean, fast link: pings alone, no beacons beside them
  const { links, entered } = scripted(clock, () => { pingsAt.push(clock.now()); return dead ? 'refused' : 'ok' }, 10)
  links.track('p')
  links.start()
  t.teardown(() => { links.stop() })
  await clock.advance(30_000)
  // just after a ping answered: without news of the closed connection, the next ping would be an interval away
  while (links.get('p')?.lastSeen !== clock.now()) await clock.advance(10)
  const killedAt = clock.now()
  const before = pingsAt.length
  dead = true
  links.connectionLost('p')
  await clock.advance(INTERVAL / 4)
  t.equal(pingsAt.length, before + 1, 'pinged within a tick of the closed connection')
  await clock.advance(5_000)
  const down = entered.find((e) => e.to === 'unreachable' && e.at >= killedAt)
  const took = (down?.at ?? Infinity) - killedAt
  // a tick, then three refusals half an interval apart, each held by at most a quarter interval of beacon grace
  t.ok(took <= INTERVAL / 4 + 3 * (INTERVAL / 2 + Math.max(REFUSAL_GRACE_FLOOR_MS, INTERVAL / 4)), `unreachable ${took} ms after its connection closed (pings at ${pingsAt.slice(before).map((x) => x - killedAt).join(', ')})`)
  // an unreachable member is not hurried: its next pings keep their slower pace
  const seen = pingsAt.length
  while (pingsAt.length === seen) await clock.advance(10)
  const n = pingsAt.length
  links.connectionLost('p')
  await clock.advance(INTERVAL)
  t.equal(pingsAt.length, n, 'no ping hurried for a member already unreachable')
})
