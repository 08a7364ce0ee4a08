/**
 * The failure detector's evidence beyond silence: a refused dial (nothing
 * listens where the peer was) marks a peer unreachable within a few ping
 * intervals even on a link known to be lossy; a late answer counts as loss
 * (TCP retransmitted it); a young detector does not take a burst of early
 * timeouts for the link's loss rate.
 */
import t from 'tap'
import { Links, PeerRefusedError, PhiAccrual, REFUSAL_PHI, type PeerState } from '../agent/links/index.ts'
import { MIN_RATE_INTERVALS } from '../agent/links/phi.ts'
import { ManualClock } from './helpers/manual-clock.ts'
import { silentLogger } from '../agent/logger.ts'


type Answer = 'ok' | 'timeout' | 'refused'

/** Links over a scripted peer: `answer()` decides each ping's fate. */
function scripted (clock: ManualClock, answer: () => Answer, pingIntervalMs = 1000) {
  const links = new Links({ pingIntervalMs, pingTimeoutMs: 2 * pingIntervalMs, minStdDevMs: 100 }, {
    clock,
    logger: silentLogger().forComponent('test'),
    ping: async () => {
      const a = answer()
      if (a === 'ok') return 1
      if (a === 'refused') throw new PeerRefusedError('connect ECONNREFUSED')
      // a timeout: no answer until the ping's deadline, on the test's clock
      return await new Promise<number>((_resolve, reject) => { clock.setTimeout(() => { reject(new Error('timed out')) }, 2 * pingIntervalMs) })
    }
  })
  const entered: Array<{ to: PeerState, at: number }> = []
  links.onChange((_p, _from, to) => { entered.push({ to, at: clock.now() }) })
  return { links, entered }
}

t.test('a refused dial marks a peer unreachable within a few intervals, even on a link that was lossy', async (t) => {
  const clock = new ManualClock()
  let mode: 'lossy' | 'refused' = 'lossy'
  let n = 0
  // every third ping times out: the detector learns a high miss rate, which slows detection by silence
  const { links, entered } = scripted(clock, () => mode === 'refused' ? 'refused' : (++n % 3 === 0 ? 'timeout' : 'ok'))
  links.track('p')
  links.start()
  await clock.advance(120_000)
  t.notOk(entered.some((e) => e.to === 'unreachable'), 'the lossy link was never declared dead')
  const refusedAt = clock.now()
  mode = 'refused'
  await clock.advance(10_000)
  const down = entered.find((e) => e.to === 'unreachable' && e.at >= refusedAt)
  t.ok(down != null, 'unreachable once dials are refused')
  t.ok(down != null && down.at - refusedAt <= 4000, `after ${(down?.at ?? NaN) - refusedAt} ms (three refusals, half an interval apart, after up to one interval and a timeout)`)
  t.ok((links.get('p')?.phi ?? 0) >= 3 * REFUSAL_PHI, `phi shows the refusals (${links.get('p')?.phi})`)
  links.stop()
})

t.test('one refusal between answers does not make a peer suspect', async (t) => {
  const clock = new ManualClock()
  let n = 0
  // a peer that restarts its listener now and then: one refused dial in ten
  const { links, entered } = scripted(clock, () => ++n % 10 === 0 ? 'refused' : 'ok')
  links.track('p')
  links.start()
  await clock.advance(120_000)
  t.same(entered.map((e) => e.to), [], 'no state change')
  t.ok((links.get('p')?.pingFailures ?? 0) >= 10, 'the refusals are counted as lost pings')
  links.stop()
})

t.test('late answers count as loss: the miss rate follows intervals that were too long', async (t) => {
  const d = new PhiAccrual({ expectedIntervalMs: 1000, minStdDevMs: 100 })
  let now = 0
  for (let i = 0; i < 40; i++) { now += 1000; d.heartbeat(now, 0) }
  const clean = d.missRate
  // TCP retransmitted: answers arrive, but three intervals late, every fourth time
  for (let i = 0; i < 40; i++) { now += i % 4 === 0 ? 4000 : 1000; d.heartbeat(now, 0) }
  t.ok(d.missRate > clean * 5, `the miss rate rose from ${clean.toFixed(3)} to ${d.missRate.toFixed(3)} with no ping failing`)
  t.ok(d.phi(now + 5000) < 8, `so five silent seconds are no longer taken for death (phi ${d.phi(now + 5000).toFixed(1)})`)
})

t.test('a young detector does not take a burst of early timeouts for the link\'s loss rate', async (t) => {
  const d = new PhiAccrual({ expectedIntervalMs: 1000, minStdDevMs: 100 })
  let now = 0
  // three lost pings in the first few intervals (a busy host at startup), then clean
  d.heartbeat(now += 1000, 0)
  d.heartbeat(now += 4000, 3)
  for (let i = 0; i < 6; i++) d.heartbeat(now += 1000, 0)
  const young = 3 / (3 + MIN_RATE_INTERVALS)
  t.ok(Math.abs(d.missRate - young) < 1e-9, `estimated over ${MIN_RATE_INTERVALS} intervals: ${d.missRate.toFixed(3)}, not 3 in 10`)
  // over a full window, the estimate is the observed one
  for (let i = 0; i < 30; i++) d.heartbeat(now += 1000, 0)
  const intervals = 2 + 1 + 6 + 30 // the two the detector is seeded with, the late one, the clean ones
  t.ok(Math.abs(d.missRate - 3 / (3 + intervals)) < 1e-9, `then the observed rate (${d.missRate.toFixed(3)})`)
})
