/**
 * The fault schedule: a pure function of the scenario and the seed. Random
 * processes (loss bursts, flapping links, "pick 3 drones") draw from a seeded
 * generator forked per fault, so the same scenario and seed give the same
 * schedule on every run, and adding one fault does not reshuffle the others.
 *
 *   const { agents, events } = buildSchedule(scenario, 42)
 *   events[0] // { t: 0, type: 'start', agent: 'ground-0' }
 */
import type { Scenario, Fault } from './scenario.ts'
import { createRng, type Rng } from './rng.ts'

export interface AgentPlan { name: string, group: string, index: number, labels: Record<string, string> }

/** A link overlay: while on, pairs between `a` and `b` get this loss or are down. '*' means everyone. */
export interface Overlay { id: number, a: string[], b: string[], loss?: number, down?: boolean, cause: string }

export type SimEvent =
  | { t: number, type: 'start', agent: string }
  | { t: number, type: 'overlay-on', overlay: Overlay }
  | { t: number, type: 'overlay-off', id: number }
  | { t: number, type: 'crash', agent: string }
  | { t: number, type: 'restart', agent: string }
  | { t: number, type: 'leave', agent: string, graceful: boolean }
  | { t: number, type: 'submit', agent: string, workload: string, cpu: string, memory: string, onDisconnect?: 'keep' | 'failover', failoverAfterMs?: number }

export interface Schedule { seed: number, agents: AgentPlan[], events: SimEvent[] }

const order: Record<SimEvent['type'], number> = { start: 0, 'overlay-off': 1, 'overlay-on': 2, restart: 3, crash: 4, leave: 5, submit: 6 }

export function buildSchedule (scenario: Scenario, seed: number): Schedule {
  const root = createRng(seed >>> 0)
  const agents: AgentPlan[] = []
  const events: SimEvent[] = []
  for (const g of scenario.groups) {
    for (let i = 0; i < g.count; i++) {
      const name = `${g.name}-${i}`
      agents.push({ name, group: g.name, index: i, labels: g.labels })
      events.push({ t: i * g.staggerMs, type: 'start', agent: name })
    }
  }
  // joiners get the next free index of their group
  const next = new Map(scenario.groups.map((g) => [g.name, g.count]))
  scenario.faults.forEach((f) => {
    if (f.kind !== 'join') return
    const g = scenario.groups.find((x) => x.name === f.group)
    for (let k = 0; k < (f.count ?? 0); k++) {
      const index = next.get(f.group as string) ?? 0
      next.set(f.group as string, index + 1)
      const name = `${f.group as string}-${index}`
      agents.push({ name, group: f.group as string, index, labels: g?.labels ?? {} })
      events.push({ t: f.atMs + k * f.staggerMs, type: 'start', agent: name })
    }
  })
  const resolve = (sels: string[]): string[] => {
    const out = new Set<string>()
    for (const s of sels) {
      for (const a of agents) if (s === '*' || a.group === s || a.name === s) out.add(a.name)
    }
    return [...out]
  }
  // overlays keep '*' symbolic so that it also covers agents started later
  const side = (sels: string[]): string[] => sels.includes('*') ? ['*'] : resolve(sels)
  let overlayId = 0
  const overlay = (t: number, forMs: number, o: Omit<Overlay, 'id'>): void => {
    const id = ++overlayId
    events.push({ t, type: 'overlay-on', overlay: { id, ...o } })
    events.push({ t: t + forMs, type: 'overlay-off', id })
  }
  const end = scenario.durationMs
  scenario.faults.forEach((f, i) => {
    const rng = root.fork(`fault:${i}:${f.kind}`)
    const pickAgents = (): string[] => {
      const pool = resolve(f.agents ?? ['*'])
      return f.count != null ? rng.sample(pool, f.count) : pool
    }
    expandFault(f, i, rng, { pickAgents, side, overlay, events, resolve, end })
  })
  scenario.workloads.forEach((w, i) => {
    const rng = root.fork(`workload:${i}`)
    const from = resolve(w.from)
    for (let k = 0; k < w.count && from.length > 0; k++) {
      events.push({ t: w.atMs + k * w.everyMs, type: 'submit', agent: rng.pick(from), workload: `w${i}-${k}`, cpu: w.cpu, memory: w.memory, ...(w.onDisconnect != null ? { onDisconnect: w.onDisconnect } : {}), ...(w.failoverAfterMs != null ? { failoverAfterMs: w.failoverAfterMs } : {}) })
    }
  })
  const sorted = events
    .filter((e) => e.t <= end)
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.t - y.e.t || order[x.e.type] - order[y.e.type] || x.i - y.i)
    .map((x) => ({ ...x.e, t: Math.round(x.e.t) }))
  return { seed, agents, events: sorted }
}

interface Expand {
  pickAgents: () => string[]
  side: (sels: string[]) => string[]
  resolve: (sels: string[]) => string[]
  overlay: (t: number, forMs: number, o: Omit<Overlay, 'id'>) => void
  events: SimEvent[]
  end: number
}

function expandFault (f: Fault, i: number, rng: Rng, x: Expand): void {
  const cause = `faults[${i}] ${f.kind}`
  const until = Math.min(f.untilMs ?? x.end, x.end)
  switch (f.kind) {
    case 'loss': {
      const [a, b] = f.between != null ? [x.side(f.between[0]), x.side(f.between[1])] : [f.agents != null ? x.pickAgents() : ['*'], ['*']]
      x.overlay(f.atMs, f.forMs ?? 0, { a, b, loss: f.loss ?? 0, cause })
      break
    }
    case 'lossBursts': {
      const every = Math.max(1, f.everyMs ?? 1000)
      for (let t = f.atMs + rng.exp(every); t < until; t += rng.exp(every)) {
        const pool = x.resolve(f.agents ?? ['*'])
        const hit = rng.sample(pool, Math.max(1, Math.round(pool.length * f.fraction)))
        x.overlay(t, f.forMs ?? 0, { a: hit, b: ['*'], loss: f.loss ?? 0, cause })
      }
      break
    }
    case 'flap': {
      const up = Math.max(1, f.everyMs ?? 1000)
      const down = Math.max(1, f.downMs ?? 1000)
      const targets: Array<[string[], string[]]> = f.between != null
        ? [[x.side(f.between[0]), x.side(f.between[1])]]
        : x.pickAgents().map((a) => [[a], ['*']])
      for (const [a, b] of targets) {
        for (let t = f.atMs + rng.exp(up); t < until; ) {
          const d = rng.exp(down)
          x.overlay(t, d, { a, b, down: true, cause })
          t += d + rng.exp(up)
        }
      }
      break
    }
    case 'partition': {
      let sides: string[][]
      if (f.sides != null) {
        sides = f.sides.map((s) => x.side(s))
      } else {
        const pool = x.resolve(f.agents ?? ['*'])
        const one = new Set(rng.sample(pool, Math.max(1, Math.round(pool.length * (f.split ?? 0.5)))))
        sides = [pool.filter((a) => one.has(a)), pool.filter((a) => !one.has(a))]
      }
      for (let s = 0; s < sides.length; s++) {
        for (let r = s + 1; r < sides.length; r++) x.overlay(f.atMs, f.forMs ?? 0, { a: sides[s] as string[], b: sides[r] as string[], down: true, cause })
      }
      break
    }
    case 'crash':
      for (const agent of x.pickAgents()) {
        x.events.push({ t: f.atMs, type: 'crash', agent })
        if (f.restartAfterMs != null) x.events.push({ t: f.atMs + f.restartAfterMs, type: 'restart', agent })
      }
      break
    case 'leave':
      for (const agent of x.pickAgents()) x.events.push({ t: f.atMs, type: 'leave', agent, graceful: f.graceful })
      break
    case 'join':
      break // expanded with the agent list
  }
}
