import t from 'tap'
import { runShort, summary } from './sim-helpers.ts'

t.test('churn (short): providers leave, vanish and crash under a consumer; its workloads move and none is lost', async (t) => {
  const { report, violations } = await runShort('churn')
  t.comment(summary(report))
  t.same(violations, [])
  t.equal(report.agents, 5, 'the joiner is counted')
  t.equal(report.crashes, 2, 'one vanished, one crashed')
  t.equal(report.restarts, 1)
  t.equal(report.delegations.submitted, 4)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations, 0)
  t.equal(report.loopsRefused, 0)
  t.equal(report.delegations.reachedRunning, report.delegations.submitted, 'every workload ran on a provider')
})
