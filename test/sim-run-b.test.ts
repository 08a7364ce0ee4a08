import t from 'tap'
import { runShort, summary } from './sim-helpers.ts'

t.test('flaky-fleet (short): under loss bursts, a flapping drone and a crash, the ground station\'s workloads run on drones and none is lost', async (t) => {
  const { report, violations } = await runShort('flaky-fleet')
  t.comment(summary(report))
  t.same(violations, [])
  t.equal(report.agents, 5)
  t.equal(report.crashes, 1)
  t.equal(report.restarts, 1)
  t.equal(report.delegations.submitted, 6)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations, 0)
  t.equal(report.loopsRefused, 0)
  t.equal(report.delegations.reachedRunning, report.delegations.submitted, 'every workload ran on a drone')
  t.equal(report.delegations.placements.local, 0, 'the ground station runs nothing itself')
})
