/**
 * Runs the CI variant of a shipped scenario and returns its report and the hard
 * checks that failed (lost work, overcommit, unexpected loop refusals, an agent
 * that could not start); convergence is reported, not asserted, because it
 * depends on how loaded the CI machine is.
 */
import { loadScenario } from '../sim/scenario.ts'
import { runScenario } from '../sim/runner.ts'
import { buildReport, checkReport, type Report } from '../sim/report.ts'

/** The figures worth reading when a run's assertion fails on a loaded machine. */
export function summary (r: Report): string {
  return JSON.stringify({ delegations: r.delegations, failover: r.failover, overcommitViolations: r.overcommitViolations, loopsRefused: r.loopsRefused, leases: r.leases, eventLoopDelayMs: r.eventLoopDelayMs, startRetries: r.startRetries, processErrors: r.processErrors })
}

export async function runShort (name: string, seed = 11): Promise<{ report: Report, violations: string[] }> {
  const scenario = loadScenario(`sim/scenarios/${name}.yaml`, { short: true })
  const obs = await runScenario(scenario, { seed })
  const report = buildReport(obs)
  return { report, violations: checkReport(report, { soft: false }) }
}
