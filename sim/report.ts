/**
 * Turns a run's observations into the report: figures computed from what the
 * agents reported (state changes from their link state machines, traffic
 * their nodes sent, ledgers when present), and the checks that fail a run.
 *
 *   const report = buildReport(await runScenario(s))
 *   report.failureDetection.p50S // seconds from a fault until an observer declared the peer unreachable
 *   checkReport(report)          // the violations; [] when the run is good
 */
import type { Observations } from './runner.ts'
import type { DelegationFigures } from './subsystems.ts'

export interface Report {
  scenario: string
  short: boolean
  seed: number
  agents: number
  peakAgents: number
  durationS: number
  startupS: number
  discovery: { fullViewS: number | null, pairsNeverAlive: number }
  failureDetection: { p50S: number | null, p99S: number | null, suspectP50S: number | null, detected: number, undetected: number }
  falseSuspicions: number
  peerStateChanges: number
  delegations: DelegationFigures
  /** link cut → replacement running elsewhere */
  failover: { p50S: number | null, p99S: number | null, count: number }
  overcommitViolations: number | null
  /** the first few, with time and agent */
  overcommitExamples: string[]
  loopsRefused: number | null
  leases: { active: number, granted: number } | null
  messages: { total: number, bytes: number, perAgentPerS: number }
  rssMBPerAgent: number
  /** how late the shared event loop ran, ms: when p99 is in the hundreds, timeouts and suspicions say more about the machine than about the agents */
  eventLoopDelayMs: Observations['eventLoopDelayMs']
  /** CPU time of the whole process per agent-second on the scenario clock, in % of one core (boot excluded) */
  cpuPctPerAgent: number
  connectionsPerAgent: { mean: number, max: number }
  crashes: number
  restarts: number
  startErrors: string[]
  startRetries: string[]
  /** errors that escaped every agent (uncaught, unhandled): each would have made a daemon exit */
  processErrors: string[]
  subsystems: Observations['subsystems']['present']
  notes: string[]
  expect: Observations['scenario']['expect']
}

export function quantile (values: number[], q: number): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))
  return s[i] as number
}

const sec = (ms: number | null): number | null => ms == null ? null : Math.round(ms) / 1000
const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d

export function buildReport (o: Observations): Report {
  const detected = o.detections.filter((d) => d.unreachableAfterMs != null).map((d) => d.unreachableAfterMs as number)
  const suspected = o.detections.filter((d) => d.suspectAfterMs != null).map((d) => d.suspectAfterMs as number)
  const sub = o.subsystems
  const notes = [...sub.notes]
  notes.push('messages are the chunks (Noise-encrypted yamux frames) the agents wrote to the simulated network on the scenario clock (boot excluded)')
  notes.push('rssMBPerAgent is the process RSS growth over the baseline at the peak, divided by the peak number of running agents (all agents share one process)')
  if (o.shutdownErrors.length > 0) notes.push(`${o.shutdownErrors.length} error(s) escaped the agents while they were being stopped at the end (not a failure of the run; skein agent would exit 70 instead of 0): ${o.shutdownErrors[0] ?? ''}`)
  if (o.fullViewMs == null) {
    const byState = new Map<string, number>()
    for (const p of o.neverAlive) byState.set(p.state, (byState.get(p.state) ?? 0) + 1)
    const states = [...byState].map(([s, n]) => `${n} ${s}`).join(', ')
    const unseen = new Map<string, number>()
    const blind = new Map<string, number>()
    for (const p of o.neverAlive) { unseen.set(p.peer, (unseen.get(p.peer) ?? 0) + 1); blind.set(p.observer, (blind.get(p.observer) ?? 0) + 1) }
    const top = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, c]) => `${n} (${c})`).join(', ')
    notes.push(`discovery: ${o.neverAlive.length} pair(s) of running agents with a link up were never seen alive by their observer (at the end: ${states || 'none'}); peers unseen by the most observers: ${top(unseen)}; observers missing the most peers: ${top(blind)}`)
  }
  const agentSeconds = Math.max(1e-9, o.agentSeconds)
  return {
    scenario: o.scenario.name,
    short: o.scenario.short,
    seed: o.seed,
    agents: o.agents.length,
    peakAgents: o.peakAgents,
    durationS: round(o.wallMs / 1000, 1),
    startupS: round(o.startupMs / 1000, 2),
    discovery: { fullViewS: o.fullViewMs != null ? round(o.fullViewMs / 1000, 2) : null, pairsNeverAlive: o.neverAlive.length },
    failureDetection: {
      p50S: sec(quantile(detected, 0.5)),
      p99S: sec(quantile(detected, 0.99)),
      suspectP50S: sec(quantile(suspected, 0.5)),
      detected: detected.length,
      undetected: o.detections.length - detected.length
    },
    falseSuspicions: o.changes.filter((c) => c.falseSuspicion).length,
    peerStateChanges: o.changes.length,
    delegations: sub.delegations ?? { submitted: 0, running: 0, reachedRunning: 0, failed: 0, lost: 0, duplicatesMaxConcurrent: 0, duplicateWindowS: null, duplicatedWorkloads: 0, placements: { remote: 0, local: 0, none: 0 }, phasesAtEnd: {}, failoversUnfinished: 0, runningOn: {} },
    failover: { p50S: sec(quantile(sub.failoverMs, 0.5)), p99S: sec(quantile(sub.failoverMs, 0.99)), count: sub.failoverMs.length },
    overcommitViolations: sub.overcommitViolations,
    overcommitExamples: sub.overcommitExamples,
    loopsRefused: sub.loopsRefused,
    leases: sub.leases,
    messages: { total: o.traffic.messages, bytes: o.traffic.bytes, perAgentPerS: round(o.traffic.messages / agentSeconds, 1) },
    eventLoopDelayMs: o.eventLoopDelayMs,
    connectionsPerAgent: { mean: round(o.connections.reduce((a, b) => a + b, 0) / Math.max(1, o.connections.length), 1), max: Math.max(0, ...o.connections) },
    cpuPctPerAgent: round(100 * (o.cpuS.user + o.cpuS.system) / agentSeconds, 2),
    rssMBPerAgent: round(Math.max(0, o.rssPeakMB - o.rssBaselineMB) / Math.max(1, o.peakAgents), 1),
    crashes: o.agents.reduce((n, a) => n + a.crashes, 0),
    restarts: o.agents.reduce((n, a) => n + Math.max(0, a.starts - 1), 0),
    startErrors: o.errors,
    startRetries: o.startRetries,
    processErrors: o.processErrors,
    subsystems: sub.present,
    notes,
    expect: o.scenario.expect
  }
}

/**
 * What makes a run fail. Hard (always): lost work, overcommit, unexpected loop
 * refusals, an agent that could not start (a crash). Soft (the CLI's exit
 * code, not CI on a loaded machine): a fleet that never converged, too many
 * false suspicions.
 */
export function checkReport (r: Report, options: { soft?: boolean } = {}): string[] {
  const out: string[] = []
  if (r.delegations.lost > 0) out.push(`${r.delegations.lost} delegated workload(s) lost`)
  if ((r.overcommitViolations ?? 0) > 0) out.push(`${r.overcommitViolations ?? 0} overcommit violation(s), e.g. ${r.overcommitExamples[0] ?? '?'}`)
  if ((r.loopsRefused ?? 0) !== r.expect.loopsRefused && r.loopsRefused != null) out.push(`loopsRefused is ${r.loopsRefused}, expected ${r.expect.loopsRefused}`)
  if (r.startErrors.length > 0) out.push(`agent errors: ${r.startErrors.slice(0, 3).join('; ')}`)
  if (r.processErrors.length > 0) out.push(`${r.processErrors.length} error(s) escaped the agents (a daemon would have exited): ${r.processErrors[0] ?? ''}`)
  if (options.soft === false) return out
  if (r.expect.fullView && r.discovery.fullViewS == null) out.push('the fleet never reached a full view')
  if (r.expect.maxFalseSuspicions != null && r.falseSuspicions > r.expect.maxFalseSuspicions) out.push(`${r.falseSuspicions} false suspicions, at most ${r.expect.maxFalseSuspicions} expected`)
  return out
}
