/**
 * Runs a scenario: N real agents (agent/system.ts) in this process, each with
 * its own state directory and operator API socket, all on the simulated
 * network (sim/net) under the link model, driven by the seeded schedule. It
 * watches what the agents themselves report (their link state machines, their
 * traffic, their ledgers when those exist) and returns the raw observations
 * that sim/report.ts turns into figures.
 *
 *   const obs = await runScenario(loadScenario('sim/scenarios/churn.yaml', { short: true }), { seed: 7 })
 */
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import pino from 'pino'
import { multiaddr } from '@multiformats/multiaddr'
import { Agent } from '../agent/system.ts'
import { ConfigSchema, finishConfig, type Config } from '../agent/config/index.ts'
import { ensureStateDir, loadOrCreateIdentity } from '../agent/identity/index.ts'
import { createLogger, type Logger } from '../agent/logger.ts'
import type { PeerState } from '../agent/links/index.ts'
import { deepMerge, type Scenario } from './scenario.ts'
import { buildSchedule, type Overlay, type Schedule, type SimEvent } from './schedule.ts'
import { LinkModel } from './net/model.ts'
import { SimNetwork } from './net/transport.ts'
import { createRng } from './rng.ts'
import { probeSubsystems, type SubsystemProbe } from './subsystems.ts'
import { ClusterWatch } from './clusters.ts'

export interface RunOptions {
  seed?: number
  /** pino level for the agents' logs; default silent */
  logLevel?: 'error' | 'warn' | 'info' | 'debug' | 'silent'
  /** where agent logs go when logLevel is not silent; default stderr */
  logFile?: string
  /** progress lines for the operator */
  progress?: (line: string) => void
  /** ms between samples of the fleet's peer states; default 500 */
  sampleMs?: number
  /** ms between reads of every agent's cluster (duplicates, overcommit); default 1000 */
  clusterSampleMs?: number
  /** keep the state directories (for a post-mortem) */
  keepState?: boolean
  /** where the agents' state directories go; default /dev/shm when it is a writable directory (a tmpfs: every agent's store fsyncs each commit, and a hundred agents fsyncing to one disk stall the shared event loop), else the OS temp directory */
  stateRoot?: string
  /** agents starting at the same time; default 3 (an agent's start is CPU-bound for ~0.3 s, and its embedded cluster must sync within 5 s) */
  startConcurrency?: number
}

export type AgentPhase = 'pending' | 'running' | 'crashed' | 'left'

export interface StateChange { t: number, observer: string, peer: string, from: PeerState, to: PeerState, falseSuspicion: boolean }
export interface Sample { t: number, running: number, states: Record<PeerState, number>, rssMB: number, messages: number, fullView: boolean }
export interface Detection { observer: string, peer: string, faultAt: number, suspectAfterMs?: number, unreachableAfterMs?: number, cause: string }
export interface LinkEventRecord { t: number, kind: string, detail: string, agents: string[] }
export interface AgentRecord { name: string, group: string, peerId: string, phase: AgentPhase, starts: number, crashes: number, startError?: string }

export interface Observations {
  scenario: Scenario
  seed: number
  schedule: Schedule
  /** ms the initial fleet took to boot (before the scenario clock starts) */
  startupMs: number
  /** ms from the scenario clock's start until every running agent had seen every running agent it has a link to alive; null if never */
  fullViewMs: number | null
  /** pairs (observer > peer, both running, link up) whose observer never saw the peer alive, with its state at the end */
  neverAlive: Array<{ observer: string, peer: string, state: string }>
  /** open connections per running agent at the end */
  connections: number[]
  wallMs: number
  changes: StateChange[]
  samples: Sample[]
  detections: Detection[]
  events: LinkEventRecord[]
  agents: AgentRecord[]
  /** edges of the base topology (links up before faults) */
  topology: Array<[string, string]>
  traffic: { messages: number, bytes: number }
  /** agent-seconds the agents were running */
  agentSeconds: number
  rssBaselineMB: number
  rssPeakMB: number
  peakAgents: number
  subsystems: SubsystemProbe
  errors: string[]
  /** agent starts that failed and were retried (what a supervisor would do) */
  startRetries: string[]
  /** how late this process's event loop ran timers during the run, ms (all agents share it: a loaded machine shows here first) */
  eventLoopDelayMs: { p50: number, p99: number, max: number }
  /** CPU this process used on the scenario clock (boot excluded), s */
  cpuS: { user: number, system: number }
  /** errors that escaped every agent (uncaught exceptions, unhandled rejections) on the scenario clock: a daemon would have exited on each */
  processErrors: string[]
  /** the same while every agent was being stopped at the end of the run */
  shutdownErrors: string[]
}

interface Live {
  plan: Schedule['agents'][number]
  config: Config
  agent?: Agent
  phase: AgentPhase
  record: AgentRecord
  chain: Promise<void>
  unsubscribe?: () => void
  runningSince?: number
}

let runCounter = 0
const kubeInConfig = 'kube' in (ConfigSchema as unknown as { properties: Record<string, unknown> }).properties

export async function runScenario (scenario: Scenario, options: RunOptions = {}): Promise<Observations> {
  const seed = options.seed ?? scenario.seed
  const schedule = buildSchedule(scenario, seed)
  const progress = options.progress ?? (() => {})
  const groupOf = new Map(schedule.agents.map((a) => [a.name, a.group]))
  const model = new LinkModel(scenario.network, (n) => groupOf.get(n))
  const netRng = createRng(seed).fork('network')
  const lossRng = createRng(seed).fork('heartbeats')
  const runId = `sim${process.pid}r${++runCounter}`
  const net = new SimNetwork({ model, id: runId, resetAfterMs: scenario.network.resetAfterMs, rand: netRng.next })
  const root = mkdtempSync(join(options.stateRoot ?? defaultStateRoot(), 'skein-sim-'))
  const errors: string[] = []
  const startRetries: string[] = []
  const logger: Logger = createLogger({
    level: options.logLevel ?? 'silent',
    ...(options.logFile != null ? { destination: pino.destination({ dest: options.logFile, sync: false, mkdir: true }) } : options.logLevel != null && options.logLevel !== 'silent' ? { destination: pino.destination(2) } : {})
  })

  // identities first: bootstrap lists need peer IDs
  const live = new Map<string, Live>()
  const nameOfPeer = new Map<string, string>()
  for (const plan of schedule.agents) {
    const stateDir = join(root, plan.name)
    await ensureStateDir(stateDir)
    const id = await loadOrCreateIdentity(stateDir)
    const peerId = id.peerId.toString()
    nameOfPeer.set(peerId, plan.name)
    live.set(plan.name, { plan, config: undefined as unknown as Config, phase: 'pending', record: { name: plan.name, group: plan.group, peerId, phase: 'pending', starts: 0, crashes: 0 }, chain: Promise.resolve() })
  }
  const topology: Array<[string, string]> = []
  const names = schedule.agents.map((a) => a.name)
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) if (model.base(names[i] as string, names[j] as string).up) topology.push([names[i] as string, names[j] as string])
  }
  const bootRng = createRng(seed).fork('bootstrap')
  for (const l of live.values()) {
    const g = scenario.groups.find((x) => x.name === l.plan.group)
    const candidates = g?.bootstrap != null
      ? schedule.agents.filter((a) => a.name !== l.plan.name && g.bootstrap?.some((s) => s === '*' || s === a.name || s === a.group) === true)
      : schedule.agents.filter((a) => a.name !== l.plan.name && model.base(l.plan.name, a.name).up && a.index < Math.max(1, (scenario.groups.find((x) => x.name === a.group)?.count ?? 1)))
    const chosen = bootRng.sample(candidates, 3)
    const bootstrap = chosen.map((a) => `${net.address(a.name)}/p2p/${live.get(a.name)?.record.peerId ?? ''}`)
    const stateDir = join(root, l.plan.name)
    const base: Record<string, unknown> = {
      stateDir,
      runtimeDir: join(stateDir, 'run'),
      listen: [net.address(l.plan.name)],
      logLevel: options.logLevel ?? 'silent',
      shutdownTimeout: '5s',
      discovery: { mdns: false, dht: false, bootstrap, labels: { ...l.plan.labels, 'sim/name': l.plan.name, 'sim/group': l.plan.group } },
      // the simulated network carries libp2p connections only: UDP heartbeats would bypass the link model
      links: { beacon: false },
      // each agent drives its own emulated cluster (sim/kube, in-process) when the agent has a Kubernetes subsystem
      ...(kubeInConfig ? { kube: { mode: 'embedded' } } : {})
    }
    l.config = finishConfig(deepMerge(deepMerge(base, scenario.agentConfig), g?.config ?? {}), {})
  }

  const startSlots = semaphore(options.startConcurrency ?? 3)
  // the scenario clock starts once the initial fleet runs (see boot below)
  let t0 = performance.now()
  const now = (): number => performance.now() - t0
  const changes: StateChange[] = []
  const samples: Sample[] = []
  const detections: Detection[] = []
  const pending = new Map<string, Detection>()
  const events: LinkEventRecord[] = []
  const recentFaults: Array<{ t: number, overlay?: Overlay, agent?: string }> = []
  const rssBaselineMB = process.memoryUsage().rss / 1048576
  let rssPeakMB = rssBaselineMB
  let peakAgents = 0
  let agentMs = 0

  const running = (): Live[] => [...live.values()].filter((l) => l.phase === 'running')
  const pairKey = (a: string, b: string): string => `${a}>${b}`
  // when each directed pair's link last went down (epoch ms, the agents' clock), for failover latency
  const cuts = new Map<string, number[]>()
  const noteCuts = (before: Map<string, boolean>, agent?: string): void => {
    const at = Date.now()
    for (const [k, wasUp] of before) {
      const [a, b] = k.split('>') as [string, string]
      if (wasUp && (!model.up(a, b) || a === agent || b === agent)) cuts.set(k, [...(cuts.get(k) ?? []), at])
    }
  }
  const cutBefore = (observer: string, peerId: string, at: number): number | undefined => {
    const peer = nameOfPeer.get(peerId)
    if (peer == null) return undefined
    const list = (cuts.get(pairKey(observer, peer)) ?? []).filter((c) => c <= at)
    return list.length > 0 ? list[list.length - 1] : undefined
  }
  const graceMs = (l: Live): number => {
    const links = l.config.links
    return (Number.parseFloat(links.pingTimeout) > 0 ? durationMs(links.pingTimeout) : 2000) + durationMs(links.pingInterval) * 3
  }
  // a suspicion is false when the link was up, both ends ran, and nothing touched that pair recently
  const isFalseSuspicion = (observer: Live, peer: string): boolean => {
    const t = now()
    const p = live.get(peer)
    if (p == null || p.phase !== 'running' || !model.up(observer.plan.name, peer)) return false
    const grace = graceMs(observer)
    if ((p.runningSince ?? Infinity) > t - grace || (observer.runningSince ?? Infinity) > t - grace) return false
    for (let i = recentFaults.length - 1; i >= 0; i--) {
      const f = recentFaults[i] as (typeof recentFaults)[number]
      if (f.t < t - grace) break
      if (f.agent != null && (f.agent === peer || f.agent === observer.plan.name)) return false
      if (f.overlay != null && overlayTouches(f.overlay, observer.plan.name, peer, groupOf)) return false
    }
    return true
  }

  const subscribe = (l: Live): void => {
    const links = l.agent?.discovery?.links
    if (links == null) return
    l.unsubscribe = links.onChange((peerId, from, to) => {
      const peer = nameOfPeer.get(peerId)
      if (peer == null) return
      const t = now()
      const falseSuspicion = from === 'alive' && (to === 'suspect' || to === 'unreachable') && isFalseSuspicion(l, peer)
      changes.push({ t, observer: l.plan.name, peer, from, to, falseSuspicion })
      if (to === 'alive') seenAlive.add(pairKey(l.plan.name, peer))
      const d = pending.get(pairKey(l.plan.name, peer))
      if (d != null) {
        if ((to === 'suspect' || to === 'unreachable') && d.suspectAfterMs == null) d.suspectAfterMs = t - d.faultAt
        if (to === 'unreachable' && d.unreachableAfterMs == null) {
          d.unreachableAfterMs = t - d.faultAt
          pending.delete(pairKey(l.plan.name, peer))
        }
      }
    })
  }

  const startAgent = async (l: Live, attempt = 1): Promise<void> => {
    const name = l.plan.name
    const agent = new Agent(l.config, {
      logger,
      nodeInit: (init) => ({ ...init, transports: [net.transport(name)], replaceTransports: true }),
      dropHeartbeat: (peerId) => {
        const other = nameOfPeer.get(peerId)
        if (other == null) return false
        const loss = model.link(other, name).loss
        return loss > 0 && lossRng.next() < loss
      }
    })
    l.agent = agent
    l.record.starts++
    try {
      await startSlots.run(async () => { await agent.start() })
      l.phase = 'running'
      l.record.phase = 'running'
      l.runningSince = now()
      subscribe(l)
      rebootstrap(l)
    } catch (err) {
      l.record.starts--
      // a supervisor (systemd Restart=on-failure) would start it again; so do we, twice, and say so
      if (attempt < 3) {
        startRetries.push(`${name}: start attempt ${attempt} failed (${(err as Error).message}); retried`)
        await new Promise((resolve) => setTimeout(resolve, 1000))
        await startAgent(l, attempt + 1)
        return
      }
      l.phase = 'crashed'
      l.record.phase = 'crashed'
      l.record.startError = (err as Error).message
      errors.push(`${name} failed to start ${attempt} times: ${(err as Error).message}`)
    }
  }

  // discovery dials its bootstrap list once, at start; agents that start in any order
  // (or restart) need the list tried again whenever one of its members comes up
  const dialQuietly = (from: Live, to: Live): void => {
    const node = from.agent?.node
    if (node == null || from.phase !== 'running' || to.phase !== 'running') return
    if (node.getConnections().some((c) => c.remotePeer.toString() === to.record.peerId)) return
    node.dial(multiaddr(`${net.address(to.plan.name)}/p2p/${to.record.peerId}`), { signal: AbortSignal.timeout(10_000) }).catch(() => {})
  }
  const rebootstrap = (started: Live): void => {
    for (const addr of started.config.discovery.bootstrap) {
      const target = live.get(net.nameOf(addr) ?? '')
      if (target != null) dialQuietly(started, target)
    }
    for (const other of live.values()) {
      if (other !== started && other.config.discovery.bootstrap.some((a) => net.nameOf(a) === started.plan.name)) dialQuietly(other, started)
    }
  }

  const stopAgent = async (l: Live, how: 'crash' | 'leave'): Promise<void> => {
    const name = l.plan.name
    if (l.phase !== 'running') return
    l.unsubscribe?.()
    if (l.agent != null) await probe.absorb(l.agent).catch(() => {})
    // agent-seconds (and so per-agent rates) count the scenario clock only, not the boot before it
    agentMs += now() - Math.max(0, l.runningSince ?? now())
    l.runningSince = undefined
    l.phase = how === 'crash' ? 'crashed' : 'left'
    l.record.phase = l.phase
    if (how === 'crash') {
      l.record.crashes++
      // nothing leaves a crashed agent: isolate it first, then let its connections die silently
      model.isolate(name)
      net.crash(name)
    }
    try {
      await l.agent?.stop()
    } catch (err) {
      if (how === 'leave') errors.push(`${name} did not stop cleanly: ${(err as Error).message}`)
    }
    if (how === 'crash') net.crash(name)
  }

  // failure detection: every observer that could see `peer` a moment ago now has a fault to detect
  const openDetections = (cause: string, before: Map<string, boolean>): void => {
    const t = now()
    for (const y of running()) {
      for (const x of live.values()) {
        if (x === y || (x.phase !== 'running' && x.phase !== 'crashed')) continue
        const k = pairKey(y.plan.name, x.plan.name)
        if (before.get(k) === true && !model.up(y.plan.name, x.plan.name) && !pending.has(k)) {
          const state = y.agent?.discovery?.links?.state(x.record.peerId)
          if (state !== 'alive') continue
          const d: Detection = { observer: y.plan.name, peer: x.plan.name, faultAt: t, cause }
          pending.set(k, d)
          detections.push(d)
        }
      }
    }
  }
  const upMap = (): Map<string, boolean> => {
    const m = new Map<string, boolean>()
    const r = [...live.values()].filter((l) => l.phase === 'running')
    for (const y of r) for (const x of r) if (x !== y) m.set(pairKey(y.plan.name, x.plan.name), model.up(y.plan.name, x.plan.name))
    return m
  }
  // a fault that healed before the observer noticed stays undetected (that is the hysteresis doing its job)
  const closeHealed = (): void => {
    for (const [k, d] of pending) {
      const x = live.get(d.peer)
      if (model.up(d.observer, d.peer) && x?.phase === 'running') pending.delete(k)
      if (live.get(d.observer)?.phase !== 'running') pending.delete(k)
    }
  }

  const apply = (e: SimEvent): void => {
    switch (e.type) {
      case 'start': {
        const l = live.get(e.agent) as Live
        events.push({ t: now(), kind: 'start', detail: `${e.agent} starts`, agents: [e.agent] })
        recentFaults.push({ t: now(), agent: e.agent })
        l.chain = l.chain.then(async () => { await startAgent(l) })
        break
      }
      case 'overlay-on': {
        const before = e.overlay.down === true ? upMap() : undefined
        model.addOverlay(e.overlay)
        if (before != null) noteCuts(before)
        recentFaults.push({ t: now(), overlay: e.overlay })
        events.push({ t: now(), kind: e.overlay.down === true ? 'down' : 'loss', detail: `${e.overlay.cause}: ${describe(e.overlay)}`, agents: [...e.overlay.a, ...e.overlay.b] })
        if (before != null) openDetections(e.overlay.cause, before)
        break
      }
      case 'overlay-off': {
        const o = model.removeOverlay(e.id)
        if (o != null) {
          recentFaults.push({ t: now(), overlay: o })
          events.push({ t: now(), kind: o.down === true ? 'up' : 'loss-end', detail: `${o.cause} ends: ${describe(o)}`, agents: [...o.a, ...o.b] })
        }
        net.kick()
        closeHealed()
        break
      }
      case 'crash': {
        const l = live.get(e.agent) as Live
        const before = upMap()
        recentFaults.push({ t: now(), agent: e.agent })
        events.push({ t: now(), kind: 'crash', detail: `${e.agent} crashes`, agents: [e.agent] })
        model.isolate(e.agent)
        noteCuts(before, e.agent)
        openDetections(`crash ${e.agent}`, before)
        l.chain = l.chain.then(async () => { await stopAgent(l, 'crash') })
        break
      }
      case 'restart': {
        const l = live.get(e.agent) as Live
        events.push({ t: now(), kind: 'restart', detail: `${e.agent} restarts (same state directory)`, agents: [e.agent] })
        l.chain = l.chain.then(async () => {
          if (l.phase !== 'crashed') return
          model.release(e.agent)
          recentFaults.push({ t: now(), agent: e.agent })
          net.kick()
          closeHealed()
          await startAgent(l)
        })
        break
      }
      case 'leave': {
        const l = live.get(e.agent) as Live
        events.push({ t: now(), kind: e.graceful ? 'leave' : 'crash', detail: `${e.agent} leaves${e.graceful ? '' : ' abruptly'}`, agents: [e.agent] })
        recentFaults.push({ t: now(), agent: e.agent })
        const before = upMap()
        if (!e.graceful) {
          model.isolate(e.agent)
          openDetections(`leave ${e.agent}`, before)
        }
        noteCuts(before, e.agent)
        l.chain = l.chain.then(async () => { await stopAgent(l, e.graceful ? 'leave' : 'crash') })
        break
      }
      case 'submit': {
        const l = live.get(e.agent)
        if (l?.phase === 'running' && l.agent != null) submissions.push(probe.submit(e.agent, l.agent, e))
        else submissions.push(Promise.resolve('skipped'))
        break
      }
    }
  }

  const probe = probeSubsystems()
  const clusters = new ClusterWatch()
  const clusterSamples = new Set<Promise<void>>()
  const sampleClusters = (): void => {
    if (!booted) return
    const q = clusters.sample(now(), running().flatMap((l) => l.agent != null ? [{ name: l.plan.name, agent: l.agent }] : [])).catch((err: unknown) => { if (probe.notes.length < 20) probe.notes.push(`a cluster sample failed at ${(now() / 1000).toFixed(1)}s: ${(err as Error).message}`) })
    clusterSamples.add(q)
    void q.finally(() => { clusterSamples.delete(q) })
  }
  const submissions: Array<Promise<string>> = []
  let fullViewAt: number | null = null
  let booted = false
  const seenAlive = new Set<string>()
  let bootMs = 0
  let cpuAtT0 = process.cpuUsage()
  let trafficAtT0 = { messages: 0, bytes: 0 }
  const initial = schedule.events.filter((e) => e.type === 'start' && !isJoin(e.agent, scenario)).map((e) => (e as { agent: string }).agent)

  const sample = (): void => {
    const t = now()
    const r = running()
    peakAgents = Math.max(peakAgents, r.length)
    const states: Record<PeerState, number> = { alive: 0, suspect: 0, unreachable: 0, gone: 0 }
    let full = r.length > 0
    for (const l of r) {
      const links = l.agent?.discovery?.links
      if (links == null) { full = false; continue }
      const c = links.counts()
      for (const s of Object.keys(states) as PeerState[]) states[s] += c[s]
      // discovery has converged for a pair once the observer has seen the peer alive (it need not stay so under loss)
      for (const x of r) {
        if (x === l || !model.base(l.plan.name, x.plan.name).up) continue
        const k = pairKey(l.plan.name, x.plan.name)
        if (!seenAlive.has(k) && links.state(x.record.peerId) === 'alive') seenAlive.add(k)
        if (!seenAlive.has(k)) full = false
      }
    }
    if (full && booted && fullViewAt == null) fullViewAt = t
    const rssMB = process.memoryUsage().rss / 1048576
    rssPeakMB = Math.max(rssPeakMB, rssMB)
    samples.push({ t, running: r.length, states, rssMB, messages: net.totals().messages, fullView: full })
  }

  const sampleMs = options.sampleMs ?? 500
  const sampler = setInterval(sample, sampleMs)
  // all agents share this process: an error that escapes one of them is recorded (skein agent would exit 70 and be
  // restarted by systemd), and the run goes on so that the report says what happened
  const processErrors: string[] = []
  const shutdownErrors: string[] = []
  let finalStop = false
  const onProcessError = (err: unknown): void => {
    (finalStop ? shutdownErrors : processErrors).push(`${(now() / 1000).toFixed(1)}s: ${(err as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(err)}`)
  }
  process.on('uncaughtException', onProcessError)
  process.on('unhandledRejection', onProcessError)
  const loopDelay = monitorEventLoopDelay({ resolution: 20 })
  loopDelay.enable()
  const clusterSampler = setInterval(sampleClusters, options.clusterSampleMs ?? 1000)
  progress(`${scenario.name}${scenario.short ? ' (short)' : ''}: ${schedule.agents.length} agents, ${schedule.events.length} events, ${scenario.durationMs / 1000}s, seed ${seed}`)
  try {
    // boot: start the initial fleet (stagger keeps its order and spacing), wait until it runs,
    // then start the scenario clock, so that fault times do not depend on how fast this machine boots agents
    const bootEvents = schedule.events.filter((e) => e.type === 'start' && initial.includes(e.agent))
    for (const e of bootEvents) {
      const wait = e.t - now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      apply(e)
    }
    await Promise.allSettled(initial.map(async (n) => { await live.get(n)?.chain }))
    bootMs = now()
    t0 = performance.now()
    for (const l of live.values()) if (l.runningSince != null) l.runningSince -= bootMs
    for (const ev of events) ev.t -= bootMs
    for (const r of recentFaults) r.t -= bootMs
    for (const c of changes) c.t -= bootMs
    samples.length = 0
    booted = true
    cpuAtT0 = process.cpuUsage()
    trafficAtT0 = net.totals()
    progress(`booted ${initial.length} agents in ${(bootMs / 1000).toFixed(1)}s; scenario clock starts`)
    for (const e of schedule.events) {
      if (bootEvents.includes(e)) continue
      const wait = e.t - now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      apply(e)
    }
    const rest = scenario.durationMs - now()
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
    sample()
  } catch (err) {
    // leave nothing behind: agents, network, state directories
    clearInterval(sampler)
    clearInterval(clusterSampler)
    process.off('uncaughtException', onProcessError)
    process.off('unhandledRejection', onProcessError)
    await Promise.allSettled([...clusterSamples])
    await Promise.allSettled([...live.values()].map(async (l) => { await l.agent?.stop() }))
    net.stop()
    if (options.keepState !== true) rmSync(root, { recursive: true, force: true })
    throw err
  } finally {
    clearInterval(sampler)
    clearInterval(clusterSampler)
    loopDelay.disable()
  }
  const wallMs = now()
  const cpu = process.cpuUsage(cpuAtT0)
  await Promise.allSettled([...live.values()].map(async (l) => { await l.chain }))
  const submitted = await Promise.all(submissions)
  probe.noteSubmissions(submitted)
  await Promise.allSettled([...clusterSamples])
  await clusters.sample(now(), running().flatMap((l) => l.agent != null ? [{ name: l.plan.name, agent: l.agent }] : []))
  clusters.finish(now())
  for (const l of running()) if (l.agent != null) await probe.absorb(l.agent).catch(() => {})
  probe.collect({
    running: running().flatMap((l) => l.agent != null ? [{ name: l.plan.name, agent: l.agent }] : []),
    stopped: [...live.values()].filter((l) => l.phase !== 'running' && l.record.starts > 0).map((l) => ({ name: l.plan.name, stateDir: l.config.stateDir })),
    clusters,
    cutBefore,
    groupOf: (n) => groupOf.get(n)
  })
  for (const l of live.values()) if (l.phase === 'running') agentMs += now() - Math.max(0, l.runningSince ?? now())
  const neverAlive: Observations['neverAlive'] = []
  for (const l of running()) {
    const links = l.agent?.discovery?.links
    for (const x of running()) {
      if (x === l || !model.base(l.plan.name, x.plan.name).up || seenAlive.has(pairKey(l.plan.name, x.plan.name))) continue
      neverAlive.push({ observer: l.plan.name, peer: x.plan.name, state: links?.state(x.record.peerId) ?? 'unknown' })
    }
  }
  const connections = running().map((l) => l.agent?.node?.getConnections().length ?? 0)
  const end = net.totals()
  const traffic = { messages: end.messages - trafficAtT0.messages, bytes: end.bytes - trafficAtT0.bytes }
  progress(`stopping ${running().length} agents`)
  finalStop = true
  await Promise.allSettled([...live.values()].map(async (l) => { if (l.phase === 'running') { l.unsubscribe?.(); await l.agent?.stop() } }))
  net.stop()
  process.off('uncaughtException', onProcessError)
  process.off('unhandledRejection', onProcessError)
  if (options.keepState !== true) rmSync(root, { recursive: true, force: true })
  else progress(`state directories kept in ${root}`)
  return {
    scenario,
    seed,
    schedule,
    startupMs: bootMs,
    fullViewMs: fullViewAt,
    neverAlive,
    connections,
    wallMs,
    changes,
    samples,
    detections,
    events,
    agents: [...live.values()].map((l) => l.record),
    topology,
    traffic,
    agentSeconds: agentMs / 1000,
    rssBaselineMB,
    rssPeakMB,
    peakAgents,
    subsystems: probe,
    errors,
    startRetries,
    processErrors,
    shutdownErrors,
    cpuS: { user: Math.round(cpu.user / 1e4) / 100, system: Math.round(cpu.system / 1e4) / 100 },
    eventLoopDelayMs: { p50: Math.round(loopDelay.percentile(50) / 1e6), p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) }
  }
}

function defaultStateRoot (): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', fsConstants.W_OK)
      return '/dev/shm'
    }
  } catch {}
  return tmpdir()
}

function isJoin (name: string, scenario: Scenario): boolean {
  const m = /^(.*)-([0-9]+)$/.exec(name)
  const g = scenario.groups.find((x) => x.name === m?.[1])
  return g == null || Number(m?.[2]) >= g.count
}

function durationMs (v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/.exec(v)
  if (m == null) return 0
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']
  return Number(m[1]) * unit
}

function describe (o: Overlay): string {
  const side = (s: string[]): string => s.length > 4 ? `${s.slice(0, 3).join(',')}…(+${s.length - 3})` : s.join(',')
  return `${side(o.a)} ↔ ${side(o.b)}${o.down === true ? ' down' : ''}${o.loss != null ? ` loss ${Math.round(o.loss * 100)}%` : ''}`
}

function overlayTouches (o: Overlay, a: string, b: string, groupOf: Map<string, string>): boolean {
  const m = (sels: string[], n: string): boolean => sels.some((s) => s === '*' || s === n || s === groupOf.get(n))
  return (m(o.a, a) && m(o.b, b)) || (m(o.a, b) && m(o.b, a))
}

function semaphore (n: number): { run: <T>(fn: () => Promise<T>) => Promise<T> } {
  let active = 0
  const waiting: Array<() => void> = []
  return {
    async run (fn) {
      if (active >= n) await new Promise<void>((resolve) => { waiting.push(resolve) })
      active++
      try { return await fn() } finally {
        active--
        waiting.shift()?.()
      }
    }
  }
}
