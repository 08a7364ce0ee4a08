import t from 'tap'
import { runShort, summary } from './sim-helpers.ts'

t.test('waterfall (short): the ground station\'s workloads run on drones two hops away, through the relays\' leases; a relay crash loses nothing', async (t) => {
  const { report, violations } = await runShort('waterfall')
  t.comment(summary(report))
  t.same(violations, [])
  t.equal(report.agents, 5)
  t.equal(report.crashes, 1)
  t.equal(report.delegations.submitted, 4)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations, 0, 'no relay granted more than it held and no drone more than it had')
  t.equal(report.loopsRefused, 0)
  t.equal(report.delegations.reachedRunning, report.delegations.submitted)
  t.ok((report.delegations.runningOn.drone ?? 0) >= 1, 'workloads run on drones, which the ground station cannot reach')
  t.equal(report.delegations.runningOn.relay ?? 0, 0, 'relays keep their own cluster to themselves')
  t.equal(report.delegations.runningOn.ground ?? 0, 0)
})
