import t from 'tap'
import { runShort } from './sim-helpers.ts'

// the CI variants of the shipped scenarios, with real agents; they fail on lost work,
// overcommit, refused loops, agent errors or a fleet that never converges
t.test('partition-heal (short): both halves detect the cut and the fleet converges', async (t) => {
  const { report, violations } = await runShort('partition-heal')
  t.same(violations, [])
  t.equal(report.agents, 4)
  t.equal(report.delegations.lost, 0)
  t.equal(report.overcommitViolations ?? 0, 0)
  t.ok(report.peerStateChanges > 0, 'the agents\' state machines reacted to the cut')
  t.ok(report.messages.perAgentPerS > 0, 'traffic crossed the simulated network')
})

t.test('churn (short): joins, leaves, vanishings and a restart lose nothing and break no agent', async (t) => {
  const { report, violations } = await runShort('churn')
  t.same(violations, [])
  t.equal(report.agents, 5, 'the joiner is counted')
  t.equal(report.crashes, 2, 'one vanished, one crashed')
  t.equal(report.restarts, 1)
  t.equal(report.delegations.lost, 0)
})
