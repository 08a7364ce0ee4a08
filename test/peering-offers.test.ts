import t from 'tap'
import { createOffers, meaningfulChange } from '../agent/offers/index.ts'
import { silentLogger } from '../agent/logger.ts'
import type { Clock } from '../agent/clock.ts'
import { zero, type Resources } from '../protocol/peering/index.ts'

/** A clock the test moves by hand. */
function manualClock (): Clock & { advance(ms: number): void } {
  let now = 1_000_000
  const timers: Array<{ at: number, fn: () => void, every?: number, dead?: boolean }> = []
  const clock = {
    now: () => now,
    monotonic: () => now,
    setTimeout (fn: () => void, ms: number) { const x = { at: now + ms, fn }; timers.push(x); return { clear: () => { (x as { dead?: boolean }).dead = true } } },
    setInterval (fn: () => void, ms: number) { const x = { at: now + ms, fn, every: ms }; timers.push(x); return { clear: () => { (x as { dead?: boolean }).dead = true } } },
    advance (ms: number) {
      const end = now + ms
      for (;;) {
        const due = timers.filter((x) => x.dead !== true && x.at <= end).sort((a, b) => a.at - b.at)[0]
        if (due == null) break
        now = due.at
        if (due.every != null) due.at += due.every
        else due.dead = true
        due.fn()
      }
      now = end
    }
  }
  return clock
}

const R = (q: Partial<Resources>): Resources => ({ ...zero(), ...q })
const GiB = 2 ** 30

t.test('the pool is free capacity minus the reserve, capped by percentage or absolute caps', async (t) => {
  const free = { value: R({ cpu: 8000, memory: 16 * GiB, pods: 100, gpu: 2 }) }
  const offers = createOffers({ reserve: { cpu: '1', memory: '2Gi', pods: 10 }, policy: { caps: { cpu: '50%', memory: '4Gi' } } })({
    capacity: { free: () => free.value }, clock: manualClock(), logger: silentLogger(), granted: () => R({ cpu: 1000 })
  })
  t.same(offers.pool(), R({ cpu: 3500, memory: 4 * GiB, pods: 90, gpu: 2 }))
  t.same(offers.remaining(), R({ cpu: 2500, memory: 4 * GiB, pods: 90, gpu: 2 }))
  free.value = R({ cpu: 500 })
  t.same(offers.pool(), R({}), 'never below zero when local work eats the reserve')
})

t.test('a consumer-only agent offers nothing to anyone', async (t) => {
  const offers = createOffers({ policy: { share: false } })({ capacity: { free: () => R({ cpu: 8000 }) }, clock: manualClock(), logger: silentLogger() })
  t.same(offers.pool(), zero())
  t.same(offers.offerFor('anyone'), zero())
  t.equal(offers.allowed('anyone'), false)
})

t.test('label allow and deny lists, and per-peer caps', async (t) => {
  const labels: Record<string, Record<string, string>> = { eu1: { region: 'eu' }, eu2: { region: 'eu', tier: 'untrusted' }, us1: { region: 'us' } }
  const offers = createOffers({ policy: { allow: [{ region: 'eu' }], deny: [{ tier: 'untrusted' }], perPeerDefault: { cpu: '1' }, perPeer: { eu1: { cpu: '3' } } } })({
    capacity: { free: () => R({ cpu: 8000 }) }, clock: manualClock(), logger: silentLogger(),
    labels: (p) => labels[p], grantedTo: (p) => p === 'eu1' ? R({ cpu: 1000 }) : zero()
  })
  t.same(offers.offerFor('eu1'), R({ cpu: 2000 }), 'its cap minus what it holds')
  t.same(offers.offerFor('eu2'), zero(), 'denied by label')
  t.same(offers.offerFor('us1'), zero(), 'not on the allow list')
  t.same(offers.offerFor('unknown'), zero(), 'unknown labels match no allow selector')
})

t.test('announcements follow meaningful changes only, at most once per interval', async (t) => {
  const clock = manualClock()
  const free = { value: R({ cpu: 4000, pods: 100 }) }
  let onChange: (() => void) | undefined
  const offers = createOffers({ hysteresis: 0.1, minIntervalMs: 10_000, pollMs: 0 })({
    capacity: { free: () => free.value, onChange: (cb) => { onChange = cb } }, clock, logger: silentLogger()
  })
  const heard: Resources[] = []
  offers.onAnnounce((o) => heard.push(o))
  offers.start()
  t.equal(heard.length, 1, 'the first offer is announced at start')
  free.value = R({ cpu: 3900, pods: 100 })
  onChange?.()
  t.equal(heard.length, 1, 'a 2.5 % change is noise')
  free.value = R({ cpu: 2000, pods: 100 })
  onChange?.()
  t.equal(heard.length, 1, 'a big change waits for the rate limit')
  free.value = R({ cpu: 1000, pods: 100 })
  onChange?.()
  clock.advance(10_000)
  t.equal(heard.length, 2, 'then goes out once, with the latest value')
  t.same(heard[1], R({ cpu: 1000, pods: 100 }))
  free.value = R({ cpu: 0, pods: 100 })
  onChange?.()
  clock.advance(10_000)
  t.same(heard[2], R({ cpu: 0, pods: 100 }), 'dropping to zero is always meaningful')
  offers.stop()
  t.ok(meaningfulChange(R({ gpu: 0 }), R({ gpu: 1 }), 0.5))
  t.notOk(meaningfulChange(R({ cpu: 1000 }), R({ cpu: 1050 }), 0.1))
})

t.test('bad policy is refused with a typed error', async (t) => {
  const mk = (policy: object): unknown => createOffers({ policy })({ capacity: { free: () => zero() }, clock: manualClock(), logger: silentLogger() })
  t.throws(() => mk({ caps: { cpu: '150%' } }), { name: 'InvalidQuantityError' })
  t.throws(() => mk({ caps: { bananas: '1' } }), { name: 'InvalidQuantityError' })
  t.throws(() => createOffers({ reserve: { memory: 'lots' } })({ capacity: { free: () => zero() }, clock: manualClock(), logger: silentLogger() }), { name: 'InvalidQuantityError' })
})
