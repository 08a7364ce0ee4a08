import t from 'tap'
import { runShort, summary } from './sim-helpers.ts'

// scale-200 boots 200 agents in minutes on 2 cores; its CI variant keeps the scenario and runs 12
t.test('scale-200 (short, 12 agents): a quarter of the fleet partitioned and healed', async (t) => {
  const { report, violations } = await runShort('scale-200')
  t.comment(summary(report))
  t.same(violations, [])
  t.same(report.startErrors, [], 'every agent started')
  t.equal(report.agents, 12)
  t.equal(report.overcommitViolations ?? 0, 0)
})
