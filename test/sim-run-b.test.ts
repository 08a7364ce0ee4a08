import t from 'tap'
import { runShort } from './sim-helpers.ts'

t.test('flaky-fleet (short): loss bursts, a flapping drone and a crash lose nothing', async (t) => {
  const { report, violations } = await runShort('flaky-fleet')
  t.same(violations, [])
  t.equal(report.agents, 5)
  t.equal(report.crashes, 1)
  t.equal(report.restarts, 1)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations ?? 0, 0)
})

t.test('waterfall (short): drones reach the ground station only through relays; a relay crashes and comes back', async (t) => {
  const { report, violations } = await runShort('waterfall')
  t.same(violations, [])
  t.equal(report.agents, 5)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations ?? 0, 0)
  t.equal(report.loopsRefused ?? 0, 0)
})
