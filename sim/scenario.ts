/**
 * Scenario files: what a simulation or a testbed run does, as YAML. One typed
 * schema (typebox, like agent/config/schema.ts), then semantic checks; a bad
 * file is refused with a ScenarioError naming the key, e.g.
 * `scenario faults[2].at: "5" is not a duration`. The format is documented in
 * sim/README.md.
 *
 *   const s = loadScenario('sim/scenarios/flaky-fleet.yaml', { short: true })
 *   s.groups[0].count // 6 in the CI variant
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parse as parseYaml } from 'yaml'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import { parseDuration } from '../agent/config/duration.ts'
import { ScenarioError } from './errors.ts'

const Duration = (description: string) => Type.String({ description, 'x-duration': true })
const Probability = (description: string) => Type.Number({ minimum: 0, maximum: 1, description })
const Selector = Type.String({ minLength: 1, description: 'an agent (drone-3), a group (drone) or * (everyone)' })
const Selectors = Type.Union([Selector, Type.Array(Selector, { minItems: 1 })])

const LinkParams = {
  latency: Type.Optional(Duration('one-way delay. Default: 0s')),
  jitter: Type.Optional(Duration('uniform extra delay in [0, jitter]. Default: 0s')),
  loss: Type.Optional(Probability('share of heartbeats dropped and of stream chunks retransmitted. Default: 0')),
  bandwidth: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(bit|kbit|mbit|gbit)$' }), Type.Integer({ minimum: 1 })], { description: 'bits per second: 10mbit, 512kbit, or a number. Default: unlimited' })),
  up: Type.Optional(Type.Boolean({ description: 'false: no link at all between these agents. Default: true' }))
}

const GroupSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z][a-z0-9]*$', description: 'group name; agents are named <group>-<index>' }),
  count: Type.Integer({ minimum: 0, maximum: 1000 }),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  stagger: Type.Optional(Duration('time between the starts of two agents of the group. Default: 0s')),
  bootstrap: Type.Optional(Type.Array(Selector, { description: 'whom the group dials at start. Default: up to 3 agents it has a link to' })),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'agent configuration merged over agentConfig for this group' }))
}, { additionalProperties: false })

export const faultKinds = ['loss', 'lossBursts', 'flap', 'partition', 'crash', 'join', 'leave'] as const
export type FaultKind = typeof faultKinds[number]

const FaultSchema = Type.Object({
  kind: Type.Union(faultKinds.map((k) => Type.Literal(k))),
  at: Duration('when the fault starts, from the start of the run'),
  for: Type.Optional(Duration('how long it lasts (loss, partition, one flap or burst)')),
  until: Type.Optional(Duration('random processes (lossBursts, flap) stop starting new events at this time. Default: end of run')),
  agents: Type.Optional(Selectors),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'pick this many agents at random (seeded) from `agents`' })),
  between: Type.Optional(Type.Tuple([Selectors, Selectors])),
  sides: Type.Optional(Type.Array(Selectors, { minItems: 2 })),
  split: Type.Optional(Probability('partition: a random share of agents on one side')),
  loss: Type.Optional(Probability('loss during the fault')),
  every: Type.Optional(Duration('lossBursts: mean time between bursts; flap: mean time a link stays up')),
  down: Type.Optional(Duration('flap: mean time a link stays down')),
  fraction: Type.Optional(Probability('lossBursts: share of agents hit by one burst. Default: 0.5')),
  restartAfter: Type.Optional(Duration('crash: restart with the same state directory after this long. Default: never')),
  graceful: Type.Optional(Type.Boolean({ description: 'leave: stop gracefully (true, default) or vanish like a crash' })),
  group: Type.Optional(Type.String({ description: 'join: the group new agents belong to' })),
  stagger: Type.Optional(Duration('join: time between two joining agents. Default: 0s'))
}, { additionalProperties: false })

const WorkloadSchema = Type.Object({
  at: Duration('first submission'),
  from: Selectors,
  count: Type.Integer({ minimum: 1, maximum: 100000 }),
  every: Type.Optional(Duration('time between two submissions. Default: 0s (all at once)')),
  cpu: Type.Optional(Type.String({ description: 'requested cpu, Kubernetes quantity. Default: 100m' })),
  memory: Type.Optional(Type.String({ description: 'requested memory. Default: 64Mi' })),
  onDisconnect: Type.Optional(Type.Union([Type.Literal('keep'), Type.Literal('failover')], { description: 'what the workload does when its provider becomes unreachable. Default: the submitting agent\'s delegation.onDisconnect' })),
  failoverAfter: Type.Optional(Duration('with onDisconnect failover: how long the provider may be unreachable first. Default: the agent\'s delegation.failoverAfter'))
}, { additionalProperties: false })

const ExpectSchema = Type.Object({
  loopsRefused: Type.Optional(Type.Integer({ minimum: 0, description: 'refused loops the scenario provokes. Default: 0' })),
  fullView: Type.Optional(Type.Boolean({ description: 'every agent must see every agent it has a link to as alive at some point. Default: true' })),
  maxFalseSuspicions: Type.Optional(Type.Integer({ minimum: 0, description: 'upper bound on false suspicions. Default: no bound' }))
}, { additionalProperties: false })

const ShortSchema = Type.Object({
  duration: Type.Optional(Duration('run length of the short (CI) variant')),
  counts: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 1000 }), { description: 'group → count in the short variant' })),
  faults: Type.Optional(Type.Array(FaultSchema)),
  workloads: Type.Optional(Type.Array(WorkloadSchema)),
  agentConfig: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { additionalProperties: false })

export const ScenarioSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
  description: Type.Optional(Type.String()),
  duration: Duration('run length'),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'default seed; --seed overrides. Default: 1' })),
  groups: Type.Array(GroupSchema, { minItems: 1 }),
  network: Type.Optional(Type.Object({
    default: Type.Optional(Type.Object(LinkParams, { additionalProperties: false })),
    links: Type.Optional(Type.Array(Type.Object({ between: Type.Tuple([Selectors, Selectors]), ...LinkParams }, { additionalProperties: false }))),
    resetAfter: Type.Optional(Duration('a connection over a link that stays down this long is reset, as TCP would give up. Default: 15s'))
  }, { additionalProperties: false })),
  agentConfig: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'agent configuration (agent/config/schema.ts) merged into every agent' })),
  faults: Type.Optional(Type.Array(FaultSchema)),
  workloads: Type.Optional(Type.Array(WorkloadSchema)),
  expect: Type.Optional(ExpectSchema),
  ci: Type.Optional(ShortSchema)
}, { additionalProperties: false })

export type ScenarioInput = Static<typeof ScenarioSchema>
export type FaultInput = Static<typeof FaultSchema>
export type WorkloadInput = Static<typeof WorkloadSchema>
export type GroupInput = Static<typeof GroupSchema>

export interface LinkSpec {
  latencyMs: number
  jitterMs: number
  loss: number
  /** bits per second; Infinity when unlimited */
  bandwidthBps: number
  up: boolean
}

export interface Scenario {
  name: string
  description: string
  durationMs: number
  seed: number
  short: boolean
  groups: Array<{ name: string, count: number, labels: Record<string, string>, staggerMs: number, bootstrap?: string[], config: Record<string, unknown> }>
  network: {
    default: LinkSpec
    links: Array<{ between: [string[], string[]], spec: Partial<LinkSpec> }>
    resetAfterMs: number
  }
  agentConfig: Record<string, unknown>
  faults: Fault[]
  workloads: Workload[]
  expect: { loopsRefused: number, fullView: boolean, maxFalseSuspicions?: number }
}

export interface Fault {
  kind: FaultKind
  atMs: number
  forMs?: number
  untilMs?: number
  agents?: string[]
  count?: number
  between?: [string[], string[]]
  sides?: string[][]
  split?: number
  loss?: number
  everyMs?: number
  downMs?: number
  fraction: number
  restartAfterMs?: number
  graceful: boolean
  group?: string
  staggerMs: number
}

export interface Workload { atMs: number, from: string[], count: number, everyMs: number, cpu: string, memory: string, onDisconnect?: 'keep' | 'failover', failoverAfterMs?: number }

export interface LoadOptions {
  /** use the `ci:` variant */
  short?: boolean
}

export function loadScenario (file: string, options: LoadOptions = {}): Scenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ScenarioError(basename(file), `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    throw new ScenarioError(basename(file), `not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`)
  }
  return parseScenario(doc, options)
}

const keyOf = (instancePath: string): string =>
  instancePath.split('/').filter((x) => x !== '').map((p) => /^[0-9]+$/.test(p) ? `[${p}]` : p).join('.').replace(/\.\[/g, '[')

function schemaAt (schemaPath: string): Record<string, unknown> | undefined {
  let cur: unknown = ScenarioSchema
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter((x) => x !== '')) {
    cur = (cur as Record<string, unknown> | undefined)?.[part]
  }
  return cur as Record<string, unknown> | undefined
}

function valueAt (doc: unknown, instancePath: string): unknown {
  let cur = doc
  for (const p of instancePath.split('/').filter((x) => x !== '')) cur = (cur as Record<string, unknown> | undefined)?.[p]
  return cur
}

/** Validates a parsed YAML document; throws ScenarioError on the first (most specific) problem. */
export function parseScenario (doc: unknown, options: LoadOptions = {}): Scenario {
  if (doc == null || typeof doc !== 'object' || Array.isArray(doc)) throw new ScenarioError('scenario', 'must be a YAML mapping at the top level')
  const errors = [...Value.Errors(ScenarioSchema, doc)]
  const score = (e: (typeof errors)[number]): number => (e.keyword === 'additionalProperties' ? 1000 : 0) + e.instancePath.split('/').length
  const first = errors.sort((a, b) => score(b) - score(a))[0]
  if (first != null) {
    const key = keyOf(first.instancePath)
    if (first.keyword === 'additionalProperties' || (first.keyword === 'boolean' && first.message === 'schema is false')) {
      const extra = first.keyword === 'additionalProperties' ? ((first.params.additionalProperties as string[] | undefined)?.[0] ?? '?') : ''
      throw new ScenarioError([key, extra].filter((x) => x !== '').join('.'), 'is not a scenario key (see sim/README.md)')
    }
    const value = valueAt(doc, first.instancePath)
    const schema = schemaAt(first.schemaPath)
    if (schema?.['x-duration'] === true) throw new ScenarioError(key, `${JSON.stringify(value)} is not a duration (write it like 500ms, 5s or 2m)`)
    throw new ScenarioError(key === '' ? 'scenario' : key, `${JSON.stringify(value)} ${first.message}`)
  }
  let input = doc as ScenarioInput
  if (options.short === true) input = shortVariant(input)
  return finish(input, options.short === true)
}

/** The CI variant: the `ci:` block over the scenario; without one, at most 30 s. */
export function shortVariant (input: ScenarioInput): ScenarioInput {
  const ci = input.ci ?? {}
  const durationMs = ms(input.duration, 'duration')
  const shortMs = ci.duration != null ? ms(ci.duration, 'ci.duration') : Math.min(durationMs, 30_000)
  const keep = <T extends { at: string }>(list: T[] | undefined, path: string): T[] =>
    (list ?? []).filter((x, i) => ms(x.at, `${path}[${i}].at`) < shortMs)
  return {
    ...input,
    duration: `${shortMs}ms`,
    groups: input.groups.map((g) => ({ ...g, count: ci.counts?.[g.name] ?? g.count })),
    faults: ci.faults ?? keep(input.faults, 'faults'),
    workloads: ci.workloads ?? keep(input.workloads, 'workloads'),
    agentConfig: ci.agentConfig != null ? deepMerge(input.agentConfig ?? {}, ci.agentConfig) : (input.agentConfig ?? {})
  }
}

function ms (v: string, path: string): number {
  const out = parseDuration(v)
  if (out === undefined) throw new ScenarioError(path, `${JSON.stringify(v)} is not a duration (write it like 500ms, 5s or 2m)`)
  return out
}

const units: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 }
export function parseBandwidth (v: string | number): number {
  if (typeof v === 'number') return v
  const m = /^([0-9]+(?:\.[0-9]+)?)(bit|kbit|mbit|gbit)$/.exec(v)
  if (m == null) return NaN
  return Number(m[1]) * (units[m[2] as string] as number)
}

const list = (s: string | string[]): string[] => typeof s === 'string' ? [s] : s

function linkSpec (p: { latency?: string, jitter?: string, loss?: number, bandwidth?: string | number, up?: boolean }, path: string): Partial<LinkSpec> {
  const out: Partial<LinkSpec> = {}
  if (p.latency != null) out.latencyMs = ms(p.latency, `${path}.latency`)
  if (p.jitter != null) out.jitterMs = ms(p.jitter, `${path}.jitter`)
  if (p.loss != null) out.loss = p.loss
  if (p.bandwidth != null) out.bandwidthBps = parseBandwidth(p.bandwidth)
  if (p.up != null) out.up = p.up
  return out
}

function finish (input: ScenarioInput, short: boolean): Scenario {
  const groupNames = new Set<string>()
  input.groups.forEach((g, i) => {
    if (groupNames.has(g.name)) throw new ScenarioError(`groups[${i}].name`, `"${g.name}" is used twice`)
    groupNames.add(g.name)
  })
  const known = (sel: string): boolean => {
    if (sel === '*' || groupNames.has(sel)) return true
    const m = /^([a-z][a-z0-9]*)-([0-9]+)$/.exec(sel)
    return m != null && groupNames.has(m[1] as string)
  }
  const checkSel = (sels: string[], path: string): string[] => {
    sels.forEach((s, i) => { if (!known(s)) throw new ScenarioError(sels.length > 1 ? `${path}[${i}]` : path, `"${s}" names no group or agent (groups: ${[...groupNames].join(', ')})`) })
    return sels
  }
  const durationMs = ms(input.duration, 'duration')
  if (durationMs <= 0) throw new ScenarioError('duration', 'must be longer than 0s')
  const groups = input.groups.map((g, i) => ({
    name: g.name,
    count: g.count,
    labels: g.labels ?? {},
    staggerMs: g.stagger != null ? ms(g.stagger, `groups[${i}].stagger`) : 0,
    ...(g.bootstrap != null ? { bootstrap: checkSel(g.bootstrap, `groups[${i}].bootstrap`) } : {}),
    config: g.config ?? {}
  }))
  const net = input.network ?? {}
  const def = linkSpec(net.default ?? {}, 'network.default')
  const network = {
    default: { latencyMs: 0, jitterMs: 0, loss: 0, bandwidthBps: Infinity, up: true, ...def },
    links: (net.links ?? []).map((l, i) => ({
      between: [checkSel(list(l.between[0]), `network.links[${i}].between[0]`), checkSel(list(l.between[1]), `network.links[${i}].between[1]`)] as [string[], string[]],
      spec: linkSpec(l, `network.links[${i}]`)
    })),
    resetAfterMs: net.resetAfter != null ? ms(net.resetAfter, 'network.resetAfter') : 15_000
  }
  const faults = (input.faults ?? []).map((f, i) => finishFault(f, `faults[${i}]`, checkSel, groupNames))
  const workloads = (input.workloads ?? []).map((w, i) => ({
    atMs: ms(w.at, `workloads[${i}].at`),
    from: checkSel(list(w.from), `workloads[${i}].from`),
    count: w.count,
    everyMs: w.every != null ? ms(w.every, `workloads[${i}].every`) : 0,
    cpu: w.cpu ?? '100m',
    memory: w.memory ?? '64Mi',
    ...(w.onDisconnect != null ? { onDisconnect: w.onDisconnect } : {}),
    ...(w.failoverAfter != null ? { failoverAfterMs: ms(w.failoverAfter, `workloads[${i}].failoverAfter`) } : {})
  }))
  const e = input.expect ?? {}
  return {
    name: input.name,
    description: input.description ?? '',
    durationMs,
    seed: input.seed ?? 1,
    short,
    groups,
    network,
    agentConfig: input.agentConfig ?? {},
    faults,
    workloads,
    expect: { loopsRefused: e.loopsRefused ?? 0, fullView: e.fullView ?? true, ...(e.maxFalseSuspicions != null ? { maxFalseSuspicions: e.maxFalseSuspicions } : {}) }
  }
}

function finishFault (f: FaultInput, path: string, checkSel: (s: string[], p: string) => string[], groups: Set<string>): Fault {
  const need = (key: keyof FaultInput): void => {
    if (f[key] == null) throw new ScenarioError(`${path}.${key}`, `is required for a ${f.kind} fault`)
  }
  const out: Fault = { kind: f.kind, atMs: ms(f.at, `${path}.at`), fraction: f.fraction ?? 0.5, graceful: f.graceful ?? true, staggerMs: f.stagger != null ? ms(f.stagger, `${path}.stagger`) : 0 }
  if (f.for != null) out.forMs = ms(f.for, `${path}.for`)
  if (f.until != null) out.untilMs = ms(f.until, `${path}.until`)
  if (f.agents != null) out.agents = checkSel(list(f.agents), `${path}.agents`)
  if (f.count != null) out.count = f.count
  if (f.between != null) out.between = [checkSel(list(f.between[0]), `${path}.between[0]`), checkSel(list(f.between[1]), `${path}.between[1]`)]
  if (f.sides != null) out.sides = f.sides.map((s, i) => checkSel(list(s), `${path}.sides[${i}]`))
  if (f.split != null) out.split = f.split
  if (f.loss != null) out.loss = f.loss
  if (f.every != null) out.everyMs = ms(f.every, `${path}.every`)
  if (f.down != null) out.downMs = ms(f.down, `${path}.down`)
  if (f.restartAfter != null) out.restartAfterMs = ms(f.restartAfter, `${path}.restartAfter`)
  if (f.group != null) out.group = f.group
  switch (f.kind) {
    case 'loss': need('loss'); need('for'); break
    case 'lossBursts': need('loss'); need('for'); need('every'); break
    case 'flap': need('agents'); need('every'); need('down'); break
    case 'partition':
      need('for')
      if (f.sides == null && f.split == null) throw new ScenarioError(`${path}.sides`, 'a partition needs sides or split')
      break
    case 'crash': need('agents'); break
    case 'leave': need('agents'); break
    case 'join':
      need('group'); need('count')
      if (!groups.has(f.group as string)) throw new ScenarioError(`${path}.group`, `"${f.group}" is not a group`)
      break
  }
  return out
}

export function deepMerge (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k]
    out[k] = v != null && typeof v === 'object' && !Array.isArray(v) && cur != null && typeof cur === 'object' && !Array.isArray(cur)
      ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
      : v
  }
  return out
}
