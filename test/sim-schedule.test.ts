import t from 'tap'
import fc from 'fast-check'
import { loadScenario } from '../sim/scenario.ts'
import { buildSchedule } from '../sim/schedule.ts'
import { createRng } from '../sim/rng.ts'

const flaky = loadScenario('sim/scenarios/flaky-fleet.yaml')

t.test('the schedule is a pure function of scenario and seed', async () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
    const a = JSON.stringify(buildSchedule(flaky, seed))
    const b = JSON.stringify(buildSchedule(structuredClone(flaky), seed))
    return a === b
  }), { numRuns: 30 })
})

t.test('different seeds give different random faults', async (t) => {
  const a = buildSchedule(flaky, 1).events.filter((e) => e.type !== 'start')
  const b = buildSchedule(flaky, 2).events.filter((e) => e.type !== 'start')
  t.notSame(a, b)
})

t.test('events are sorted, inside the run, and every overlay that starts also ends', async (t) => {
  for (const seed of [1, 7, 99]) {
    const { events } = buildSchedule(flaky, seed)
    for (let i = 1; i < events.length; i++) t.ok((events[i]?.t ?? 0) >= (events[i - 1]?.t ?? 0))
    t.ok(events.every((e) => e.t >= 0 && e.t <= flaky.durationMs))
    const on = new Map(events.flatMap((e) => e.type === 'overlay-on' ? [[e.overlay.id, e.t] as const] : []))
    for (const e of events) if (e.type === 'overlay-off') t.ok((on.get(e.id) ?? Infinity) <= e.t, `overlay ${e.id} ends after it starts`)
    const crashes = events.filter((e) => e.type === 'crash')
    t.equal(crashes.length, 2, 'count picks exactly two drones')
    t.equal(events.filter((e) => e.type === 'restart').length, 2)
  }
})

t.test('joins name new agents after the group and start them on time', async (t) => {
  const churn = loadScenario('sim/scenarios/churn.yaml')
  const s = buildSchedule(churn, 3)
  t.equal(s.agents.length, 12 + 4 + 3)
  t.ok(s.agents.some((a) => a.name === 'site-18'))
  const start = s.events.find((e) => e.type === 'start' && e.agent === 'site-13')
  t.equal(start?.t, 15_000 + 2_000)
})

t.test('the generator is seeded and forks independently', async (t) => {
  const a = createRng(5); const b = createRng(5)
  t.same([a.next(), a.next(), a.int(0, 10)], [b.next(), b.next(), b.int(0, 10)])
  t.not(createRng(5).fork('x').next(), createRng(5).fork('y').next())
  const r = createRng(9)
  for (let i = 0; i < 1000; i++) { const v = r.next(); if (v < 0 || v >= 1) t.fail(`out of range: ${v}`) }
  t.same(createRng(1).sample([1, 2, 3, 4], 2).length, 2)
})
