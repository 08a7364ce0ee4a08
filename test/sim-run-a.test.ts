import t from 'tap'
import { runShort, summary } from './sim-helpers.ts'

// the CI variants of the shipped scenarios, with real agents: they fail on lost work, overcommit,
// refused loops or an agent that could not start; convergence is left to the report (machine load)
t.test('partition-heal (short): workloads on the far side fail over during the cut, nothing is lost, the heal ends the duplicates', async (t) => {
  const { report, violations } = await runShort('partition-heal')
  t.comment(summary(report))
  t.same(violations, [])
  t.equal(report.agents, 4)
  t.equal(report.delegations.submitted, 6)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations, 0)
  t.equal(report.loopsRefused, 0)
  t.equal(report.delegations.reachedRunning, report.delegations.submitted, 'every workload ran on a provider')
  t.equal(report.delegations.placements.local, 0, 'base-0 runs nothing itself')
  t.ok(report.failover.count >= 1, 'the cut made base-0 fail workloads over')
  t.ok(report.failover.p50S != null && report.failover.p50S > 0, 'failover latency is measured from the cut')
  t.ok(report.peerStateChanges > 0, 'the agents\' state machines reacted to the cut')
  t.ok(report.messages.perAgentPerS > 0, 'traffic crossed the simulated network')
})
