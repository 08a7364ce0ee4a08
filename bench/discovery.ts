/**
 * Discovery benchmark: N agents (the real Agent class, TCP on 127.0.0.1), one
 * fleet, every agent bootstrapped from agent 0 only. By default all agents run
 * in this one process — so CPU is shared and figures are pessimistic for
 * latency; from about 50 agents one event loop is saturated (every agent pings
 * every member it monitors once a second). --procs P spreads them over P child
 * processes (agent i in worker i mod P, agent 0 started first in worker 0), and
 * this process only coordinates them over IPC.
 *
 *   npm run bench -- discovery --agents 20 --json
 *   npm run bench -- discovery --agents 50 --procs 2 --window 5 --json
 *
 * Prints one JSON object:
 *   agents, procs          N, and the number of processes the agents ran in
 *   maxMonitored           links.maxMonitored of every agent (most peers each one pings; 0 = all)
 *   startS                 time for agents 1..N-1 to start (--batch at a time, default 2)
 *   fullViewS              from the moment all have started until every agent has a verified announcement of every other
 *   fullViewFromLaunchS    the same, counted from launching agents 1..N-1
 *   viewMin, viewMean      peers known per agent (of N-1) when the full view was reached or the wait gave up (120 s)
 *   messagesPerAgentPerS   gossip messages (in + out) per agent per second, steady state over --window
 *   membershipKbitPerAgentPerS  bytes on gossipsub, ping, membership and DHT streams per agent, steady state (libp2p's own counters)
 *   detectionS             from stopping the last agent's libp2p node (its listeners and connections close, as on a kill) until every other marks it unreachable
 *   detectionP50S          the same, until the median observer marked it unreachable
 *   monitorsOfVictim       how many agents pinged the last agent just before it was stopped (all others unless maxMonitored < N-1)
 *   detectionMonitorsS     the same as detectionS, but until every one of those monitors marks it unreachable (the others
 *                          judge it by its missing announcements, which takes several announce intervals)
 *   rssMB                  resident memory of all the processes (this one and the workers), and rssMBPerAgent
 *   eventLoopJoinP99Ms, eventLoopSteadyP99Ms  p99 event-loop delay of the worst process holding agents, from the launch
 *                          of agents 1..N-1 to the full view, and over the steady window: tens of ms is healthy, seconds
 *                          means the figures measure a saturated process rather than the protocol (add --procs)
 * Options: --agents N (10), --procs P (1), --max-monitored M (links.maxMonitored; the agents' default, 64, when absent),
 * --window S (10), --ping-interval D (1s), --announce-interval D (30s), --batch B (2),
 * --detect-timeout S (how long to wait for detection: 60, or 10 announce intervals when some agents do not ping the victim),
 * and with --procs 1 only:
 * --trace (to stderr: for every observer/subject pair, when the observer first had a connection to, a verified
 * certificate of, and an announcement of the subject, and by which path the announcement came; the event
 * loop's delay), --trace-log FILE (also the agents' debug lines from discovery, fleet and links, each with its agent
 * index, and after the kill, per observer, when it found the victim unreachable and its lines about the victim),
 * --cpu-profile FILE (a V8 CPU profile of the whole process from the launch of the last batch to the full view),
 * --cpu-profile-steady FILE (the same over the steady-state window).
 * Workers exit when this process does (their IPC channel closes); the state directories are removed at the end, on
 * an error and on SIGINT/SIGTERM.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { finishConfig } from '../agent/config/index.ts'
import { parseDuration } from '../agent/config/duration.ts'
import { Agent } from '../agent/system.ts'
import { createLogger, silentLogger, type Logger } from '../agent/logger.ts'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Session } from 'node:inspector/promises'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../protocol/membership/index.ts'

interface Options {
  agents: number
  procs: number
  maxMonitored?: number
  windowS: number
  pingInterval: string
  announceInterval: string
  batch: number
  detectTimeoutS?: number
  trace: boolean
  traceLog?: string
  cpuProfile?: string
  cpuProfileSteady?: string
}

function parseArgs (args: string[]): Options {
  const o: Options = { agents: 10, procs: 1, windowS: 10, pingInterval: '1s', announceInterval: '30s', batch: 2, trace: false }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const v = args[i + 1]
    if (a === '--agents' && v != null) { o.agents = Number(v); i++ } else if (a === '--procs' && v != null) { o.procs = Number(v); i++ } else if (a === '--max-monitored' && v != null) { o.maxMonitored = Number(v); i++ } else if (a === '--window' && v != null) { o.windowS = Number(v); i++ } else if (a === '--ping-interval' && v != null) { o.pingInterval = v; i++ } else if (a === '--announce-interval' && v != null) { o.announceInterval = v; i++ } else if (a === '--batch' && v != null) { o.batch = Number(v); i++ } else if (a === '--detect-timeout' && v != null) { o.detectTimeoutS = Number(v); i++ } else if (a === '--trace') o.trace = true
    else if (a === '--trace-log' && v != null) { o.trace = true; o.traceLog = v; i++ } else if (a === '--cpu-profile' && v != null) { o.cpuProfile = v; i++ } else if (a === '--cpu-profile-steady' && v != null) { o.cpuProfileSteady = v; i++ }
    else throw new Error(`discovery bench: unknown argument ${a}`)
  }
  if (!Number.isInteger(o.agents) || o.agents < 2) throw new Error('--agents must be an integer ≥ 2')
  if (!Number.isInteger(o.procs) || o.procs < 1 || o.procs > o.agents) throw new Error('--procs must be an integer from 1 to --agents')
  if (o.maxMonitored != null && (!Number.isInteger(o.maxMonitored) || o.maxMonitored < 0)) throw new Error('--max-monitored must be an integer ≥ 0 (0 = ping every member)')
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new Error('--batch must be an integer ≥ 1')
  if (!Number.isFinite(o.windowS) || o.windowS <= 0) throw new Error('--window must be a number of seconds > 0')
  if (o.detectTimeoutS != null && (!Number.isFinite(o.detectTimeoutS) || o.detectTimeoutS <= 0)) throw new Error('--detect-timeout must be a number of seconds > 0')
  if (parseDuration(o.pingInterval) == null) throw new Error('--ping-interval must be a duration such as 1s')
  if (parseDuration(o.announceInterval) == null) throw new Error('--announce-interval must be a duration such as 30s')
  if (o.procs > 1 && (o.trace || o.cpuProfile != null || o.cpuProfileSteady != null)) throw new Error('--trace, --trace-log, --cpu-profile and --cpu-profile-steady watch agents inside this process: use them with --procs 1')
  return o
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d

/** Bytes counted by libp2p's prometheus metrics for the membership-related protocols. */
async function membershipBytes (agent: Agent): Promise<number> {
  const m = await agent.metrics?.registry.getSingleMetric('libp2p_data_transfer_bytes_total')?.get()
  let sum = 0
  for (const v of m?.values ?? []) {
    const p = String(v.labels.protocol ?? '')
    if (/meshsub|floodsub|ping|membership|kad/.test(p)) sum += v.value
  }
  return sum
}

interface PairTrace { conn?: number, member?: number, rec?: number, source?: string }
interface AgentTrace { launch?: number, node?: number, disc?: number, started?: number }

/**
 * Polls every agent every 20 ms and notes, per (observer, subject) pair, the
 * first moment the observer held a connection to the subject (the
 * connection's own open time), knew it as a verified member, and held its
 * announcement (the record's own receive time, and the path it came by).
 * Times are ms since the launch of agents 1..N-1.
 */
class Trace {
  readonly agents: AgentTrace[]
  readonly pairs = new Map<string, PairTrace>()
  /** connection opens and closes, as `t agent +/- peerIndex direction` */
  readonly events: string[] = []
  private readonly hooked = new WeakSet<object>()
  private readonly all: () => Array<Agent | undefined>
  private readonly t0: number
  private timer?: ReturnType<typeof setInterval>
  private readonly loop = monitorEventLoopDelay({ resolution: 10 })
  /** per second since launch: the event loop's worst delay, ms */
  readonly loopMaxMs: number[] = []
  private lastSecond = 0

  constructor (all: () => Array<Agent | undefined>, t0: number) {
    this.all = all
    this.t0 = t0
    this.agents = all().map(() => ({}))
  }

  start (): void { this.loop.enable(); this.timer = setInterval(() => { this.poll() }, 20) }
  stop (): void { if (this.timer != null) clearInterval(this.timer); this.loop.disable(); this.poll() }

  poll (): void {
    const now = Date.now() - this.t0
    const second = Math.floor(now / 1000)
    if (second > this.lastSecond) {
      this.loopMaxMs[this.lastSecond] = Math.round(this.loop.max / 1e6)
      this.loop.reset()
      this.lastSecond = second
    }
    const list = this.all()
    const ids = list.map((a) => a?.identity?.peerId.toString())
    list.forEach((a, i) => {
      const at = this.agents[i] as AgentTrace
      if (a == null) return
      if (at.node == null && a.node?.status === 'started') at.node = now
      const node = a.node
      if (node != null && !this.hooked.has(node)) {
        this.hooked.add(node)
        const who = (c: { remotePeer: { toString: () => string } }): string => String(this.all().findIndex((x) => x?.identity?.peerId.toString() === c.remotePeer.toString()))
        node.addEventListener('connection:open', (e) => { this.events.push(`${Date.now() - this.t0} ${i} + ${who(e.detail)} ${e.detail.direction}`) })
        node.addEventListener('connection:close', (e) => { this.events.push(`${Date.now() - this.t0} ${i} - ${who(e.detail)} ${e.detail.direction}`) })
      }
      const d = a.discovery?.discovery
      if (at.disc == null && d != null) at.disc = now
      if (d == null || a.node == null) return
      ids.forEach((sid, j) => {
        if (sid == null || j === i) return
        const key = `${i}>${j}`
        const p = this.pairs.get(key) ?? {}
        this.pairs.set(key, p)
        if (p.conn == null) {
          const conns = a.node?.getConnections().filter((c) => c.remotePeer.toString() === sid) ?? []
          if (conns.length > 0) p.conn = Math.min(...conns.map((c) => c.timeline.open)) - this.t0
        }
        if (p.member == null && a.discovery?.fleet.isMember(sid) === true) p.member = now
        if (p.rec == null) {
          const r = d.peer(sid)
          if (r != null) { p.rec = r.receivedAt - this.t0; p.source = r.source }
        }
      })
    })
  }

  report (log: (s: string) => void, fullAt: number): void {
    const f = (x: number | undefined): string => x == null ? '-' : (x / 1000).toFixed(2)
    log('trace: agent  launch  nodeUp  discUp  started   (s since launch)')
    this.agents.forEach((a, i) => { log(`trace: ${String(i).padStart(5)}  ${f(a.launch).padStart(6)}  ${f(a.node).padStart(6)}  ${f(a.disc).padStart(6)}  ${f(a.started).padStart(7)}`) })
    const rows = [...this.pairs.entries()].map(([k, p]) => {
      const [o, s] = k.split('>').map(Number) as [number, number]
      const ready = Math.max(this.agents[o]?.disc ?? 0, this.agents[s]?.disc ?? 0)
      return { o, s, ready, ...p, lag: p.rec != null ? p.rec - ready : undefined }
    })
    const bySource: Record<string, number> = {}
    for (const r of rows) bySource[r.source ?? 'none'] = (bySource[r.source ?? 'none'] ?? 0) + 1
    log(`trace: event loop's worst delay per second since launch, ms: ${this.loopMaxMs.map((x) => x ?? '-').join(' ')}`)
    log(`trace: full view at ${f(fullAt)} s; announcements by path: ${JSON.stringify(bySource)}`)
    const lags = rows.flatMap((r) => r.lag != null ? [r.lag] : []).sort((a, b) => a - b)
    const q = (x: number): number | undefined => lags[Math.min(lags.length - 1, Math.floor(x * lags.length))]
    log(`trace: record lag after both discoveries were up, s: p50 ${f(q(0.5))} p90 ${f(q(0.9))} p99 ${f(q(0.99))} max ${f(lags[lags.length - 1])}`)
    const late = rows.sort((a, b) => (b.rec ?? Infinity) - (a.rec ?? Infinity)).slice(0, 25)
    log('trace: latest pairs: observer<subject  bothUp  conn  member  record  path')
    for (const r of late) log(`trace: ${String(r.o).padStart(3)}<${String(r.s).padEnd(3)}  ${f(r.ready).padStart(6)}  ${f(r.conn).padStart(6)}  ${f(r.member).padStart(6)}  ${f(r.rec).padStart(6)}  ${r.source ?? '-'}`)
  }
}

/** What an agent's process needs to make agents of the fleet (sent to workers over IPC, so plain data). */
interface AgentSettings {
  root: string
  /** the fleet's private key, protobuf, base64: every process issues its own agents' certificates */
  fleetKey: string
  pingInterval: string
  announceInterval: string
  maxMonitored?: number
}

interface Started { addr: string, peerId: string, maxMonitored: number }
/** per agent: its index, whether it marks the subject unreachable (or gone), whether it pings the subject, whether it tracks it at all */
type Watch = [index: number, detected: boolean, monitors: boolean, tracks: boolean]

/** The agents living in one process, by fleet-wide index. */
class AgentSet {
  readonly byIndex: Array<Agent | undefined> = []
  private readonly s: AgentSettings
  private readonly fleetKey: PrivateKey
  private readonly loggerFor: (i: number) => Logger
  private readonly log: (s: string) => void

  constructor (s: AgentSettings, loggerFor: (i: number) => Logger, log: (s: string) => void) {
    this.s = s
    this.fleetKey = privateKeyFromProtobuf(Buffer.from(s.fleetKey, 'base64'))
    this.loggerFor = loggerFor
    this.log = log
  }

  async make (i: number, bootstrap: string[]): Promise<Agent> {
    const dir = join(this.s.root, `a${i}`)
    const stateDir = join(dir, 'state')
    const id = await loadOrCreateIdentity(stateDir)
    writeFileSync(join(stateDir, 'membership.cert'), toText(await issueCertificate(this.fleetKey, { peerId: id.peerId.toString(), expiresMs: Date.now() + 86_400_000 })))
    const agent = new Agent(finishConfig({
      stateDir, runtimeDir: join(dir, 'run'), api: `unix:${join(dir, 'run', 's.sock')}`, listen: ['/ip4/127.0.0.1/tcp/0'], logLevel: 'silent',
      fleet: { publicKey: encodeFleetPublicKey(this.fleetKey.publicKey) },
      discovery: { mdns: false, dht: true, bootstrap, announceInterval: this.s.announceInterval },
      links: { pingInterval: this.s.pingInterval, ...(this.s.maxMonitored != null ? { maxMonitored: this.s.maxMonitored } : {}) }
    }, {}), { logger: this.loggerFor(i) })
    this.byIndex[i] = agent
    return agent
  }

  /** an Agent cannot be restarted: on a failed start (the loaded box missed a timeout) make a new one on the same state dir */
  async start (i: number): Promise<Started> {
    let agent = this.byIndex[i]
    if (agent == null) throw new Error(`no agent ${i} here`)
    for (let attempt = 1; ; attempt++) {
      try {
        await agent.start()
        break
      } catch (err) {
        if (attempt >= 3) throw err
        this.log(`agent ${i} failed to start (${(err as Error).message}); retrying`)
        agent = await this.make(i, agent.config.discovery.bootstrap)
      }
    }
    return { addr: agent.listenAddrs()[0] as string, peerId: agent.peerId, maxMonitored: agent.config.links.maxMonitored }
  }

  private each (): Array<[number, Agent]> {
    return this.byIndex.flatMap((a, i) => a != null ? [[i, a] as [number, Agent]] : [])
  }

  /** peers known (verified announcements held) per started agent */
  views (): Array<[number, number]> {
    return this.each().flatMap(([i, a]) => a.discovery?.discovery != null ? [[i, a.discovery.discovery.peers().length] as [number, number]] : [])
  }

  /** gossip messages in + out, and membership bytes, summed over this process's agents */
  async counters (): Promise<{ messages: number, bytes: number }> {
    let messages = 0
    let bytes = 0
    for (const [, a] of this.each()) {
      messages += (a.discovery?.discovery?.messagesIn ?? 0) + (a.discovery?.discovery?.messagesOut ?? 0)
      bytes += await membershipBytes(a)
    }
    return { messages, bytes }
  }

  /** how every agent here but the subject sees it */
  watch (subject: string): Watch[] {
    return this.each().flatMap(([i, a]) => {
      if (a.peerId === subject) return []
      const links = a.discovery?.links
      const state = links?.state(subject)
      return [[i, state === 'unreachable' || state === 'gone', links?.monitored(subject) === true, state != null] as Watch]
    })
  }

  /** what a kill does on the network: listeners, connections and the UDP beacon gone at once (the rest of a
   *  clean stop, which first winds down the API, peering and so on while still answering pings, is not
   *  counted); returns the wall-clock ms the node began to stop */
  async kill (i: number): Promise<number> {
    const a = this.byIndex[i]
    if (a == null) throw new Error(`no agent ${i} here`)
    const at = Date.now()
    a.discovery?.beacon?.stop()
    await a.node?.stop()
    // the rest of a clean stop may run past its own timeout on a loaded box: the network side is already gone
    try { await a.stop() } catch (err) { this.log(`agent ${i}: ${(err as Error).message} (its network side had stopped)`) }
    return at
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.each().map(async ([, a]) => { try { await a.stop() } catch {} }))
  }
}

/** The agents of the run, wherever they live. */
interface Pool {
  make: (indices: number[], bootstrap: string[]) => Promise<void>
  start: (i: number) => Promise<Started>
  views: () => Promise<Array<[number, number]>>
  counters: () => Promise<{ messages: number, bytes: number }>
  watch: (subject: string) => Promise<Watch[]>
  kill: (i: number) => Promise<number>
  /** resident memory of every process involved, bytes */
  rss: () => Promise<number>
  /** the event loop's delay in the process holding agents that fared worst since the last call (p99 and max, ms) */
  loop: () => Promise<LoopDelay>
  close: () => Promise<void>
  /** synchronous last resort (signal handlers): kill every worker */
  abort: () => void
}

interface LoopDelay { p99: number, max: number }

/** this process's event loop delay since the last call */
function loopDelay (): () => LoopDelay {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  return () => {
    const r = { p99: Math.round(h.percentile(99) / 1e6), max: Math.round(h.max / 1e6) }
    h.reset()
    return r
  }
}

const worst = (xs: LoopDelay[]): LoopDelay => ({ p99: Math.max(...xs.map((x) => x.p99)), max: Math.max(...xs.map((x) => x.max)) })

function localPool (set: AgentSet): Pool {
  const loop = loopDelay()
  return {
    make: async (indices, bootstrap) => { await Promise.all(indices.map(async (i) => await set.make(i, bootstrap))) },
    start: async (i) => await set.start(i),
    views: async () => set.views(),
    counters: async () => await set.counters(),
    watch: async (subject) => set.watch(subject),
    kill: async (i) => await set.kill(i),
    rss: async () => process.memoryUsage().rss,
    loop: async () => loop(),
    close: async () => { await set.stopAll() },
    abort: () => {}
  }
}

interface Request { id: number, op: string, arg?: unknown }
type Reply = { id: number, ok: true, value: unknown } | { id: number, ok: false, error: string }

/** A child process holding the agents with index ≡ k (mod P), spoken to over IPC. */
class Worker {
  readonly k: number
  readonly child: ChildProcess
  private readonly pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  private nextId = 0
  private exited?: string

  constructor (k: number) {
    this.k = k
    // the worker's stdout goes to our stderr: our stdout is the one JSON object
    this.child = fork(fileURLToPath(import.meta.url), ['--worker', String(k)], { execPath: process.execPath, stdio: ['ignore', 2, 2, 'ipc'] })
    this.child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id)
      if (p == null) return
      this.pending.delete(m.id)
      if (m.ok) p.resolve(m.value)
      else p.reject(new Error(`worker ${k}: ${m.error}`))
    })
    this.child.on('exit', (code, signal) => {
      this.exited = `worker ${k} exited (${signal ?? `code ${String(code)}`})`
      for (const p of this.pending.values()) p.reject(new Error(this.exited))
      this.pending.clear()
    })
    this.child.on('error', () => {})
  }

  get alive (): boolean { return this.exited == null }

  async call<T> (op: string, arg?: unknown, timeoutMs = 180_000): Promise<T> {
    if (this.exited != null) throw new Error(this.exited)
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`worker ${this.k}: ${op} got no answer within ${timeoutMs / 1000} s`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T) },
        reject: (e) => { clearTimeout(timer); reject(e) }
      })
      this.child.send({ id, op, arg } satisfies Request, (err) => {
        if (err == null) return
        clearTimeout(timer)
        this.pending.delete(id)
        reject(new Error(`worker ${this.k}: ${err.message}`))
      })
    })
  }

  /** stops its agents, closes the channel (the worker then exits), and kills it if it does not go */
  async close (): Promise<void> {
    if (this.alive) {
      try { await this.call('stop', undefined, 30_000) } catch {}
    }
    const gone = new Promise<void>((resolve) => {
      if (!this.alive) resolve()
      else this.child.once('exit', () => { resolve() })
    })
    try { if (this.child.connected) this.child.disconnect() } catch {}
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 5000)
    await gone
    clearTimeout(timer)
  }
}

async function remotePool (procs: number, s: AgentSettings): Promise<Pool> {
  const workers = Array.from({ length: procs }, (_, k) => new Worker(k))
  const pool: Pool = {
    make: async (indices, bootstrap) => {
      await Promise.all(workers.map(async (w) => { await w.call('make', { indices: indices.filter((i) => i % procs === w.k), bootstrap }) }))
    },
    // a worker retries a failed start up to three times, each taking tens of seconds on a saturated worker
    start: async (i) => await (workers[i % procs] as Worker).call<Started>('start', i, 600_000),
    views: async () => (await Promise.all(workers.map(async (w) => await w.call<Array<[number, number]>>('views')))).flat(),
    counters: async () => (await Promise.all(workers.map(async (w) => await w.call<{ messages: number, bytes: number }>('counters'))))
      .reduce((x, y) => ({ messages: x.messages + y.messages, bytes: x.bytes + y.bytes }), { messages: 0, bytes: 0 }),
    watch: async (subject) => (await Promise.all(workers.map(async (w) => await w.call<Watch[]>('watch', subject)))).flat(),
    kill: async (i) => await (workers[i % procs] as Worker).call<number>('kill', i),
    rss: async () => process.memoryUsage().rss + (await Promise.all(workers.map(async (w) => await w.call<number>('rss')))).reduce((x, y) => x + y, 0),
    loop: async () => worst(await Promise.all(workers.map(async (w) => await w.call<LoopDelay>('loop')))),
    close: async () => { await Promise.all(workers.map(async (w) => { await w.close() })) },
    abort: () => { for (const w of workers) { if (w.alive) w.child.kill('SIGKILL') } }
  }
  try {
    await Promise.all(workers.map(async (w) => { await w.call('init', s, 60_000) }))
  } catch (err) {
    pool.abort()
    throw err
  }
  return pool
}

/** The worker's side: serves the requests of the parent process until its channel closes. */
function serve (): void {
  const log = (s: string): void => { process.stderr.write(`discovery bench worker: ${s}\n`) }
  let set: AgentSet | undefined
  const loop = loopDelay()
  const here = (): AgentSet => { if (set == null) throw new Error('not initialised'); return set }
  // the parent is gone (ended, crashed or killed): so are we
  process.on('disconnect', () => { process.exit(0) })
  const ops: Record<string, (arg: unknown) => Promise<unknown>> = {
    init: async (arg) => { set = new AgentSet(arg as AgentSettings, () => silentLogger(), log); return null },
    make: async (arg) => {
      const { indices, bootstrap } = arg as { indices: number[], bootstrap: string[] }
      await Promise.all(indices.map(async (i) => await here().make(i, bootstrap)))
      return null
    },
    start: async (arg) => await here().start(arg as number),
    views: async () => here().views(),
    counters: async () => await here().counters(),
    watch: async (arg) => here().watch(arg as string),
    kill: async (arg) => await here().kill(arg as number),
    rss: async () => process.memoryUsage().rss,
    loop: async () => loop(),
    stop: async () => { await set?.stopAll(); return null }
  }
  process.on('message', (m: Request) => {
    const op = ops[m.op]
    const answer = (r: Reply): void => { if (process.connected) process.send?.(r) }
    if (op == null) { answer({ id: m.id, ok: false, error: `unknown op ${m.op}` }); return }
    op(m.arg).then(
      (value) => { answer({ id: m.id, ok: true, value: value ?? null }) },
      (err: unknown) => { answer({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }) }
    )
  })
}

async function waitFor (fn: () => Promise<boolean>, timeoutMs: number, everyMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await fn()) return true
    await sleep(everyMs)
  }
  return await fn()
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const o = parseArgs(args)
  const log = (s: string): void => { process.stderr.write(`discovery bench: ${s}\n`) }
  const root = mkdtempSync(join(tmpdir(), 'skein-bench-discovery-'))
  const fleetKey = await generateKeyPair('Ed25519')
  const settings: AgentSettings = {
    root,
    fleetKey: Buffer.from(privateKeyToProtobuf(fleetKey)).toString('base64'),
    pingInterval: o.pingInterval,
    announceInterval: o.announceInterval,
    ...(o.maxMonitored != null ? { maxMonitored: o.maxMonitored } : {})
  }
  const traceLines: string[] = []
  const loggerFor = (i: number): Logger => o.traceLog == null
    ? silentLogger()
    : createLogger({
      level: 'debug',
      base: { agent: i },
      destination: { write: (line: string) => { if (/"component":"skein:(discovery|fleet|links)"/.test(line)) traceLines.push(line) } }
    })
  const local = o.procs === 1 ? new AgentSet(settings, loggerFor, log) : undefined
  let pool: Pool | undefined
  // on ^C or a kill: no worker and no state directory left behind
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`)
    pool?.abort()
    rmSync(root, { recursive: true, force: true })
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const pollMs = o.procs === 1 ? 50 : 200
  try {
    if (o.procs > 1) log(`${o.procs} worker processes`)
    pool = local != null ? localPool(local) : await remotePool(o.procs, settings)
    const p = pool
    await p.make([0], [])
    const first = await p.start(0)
    const peerIds: string[] = [first.peerId]
    const boot = [first.addr]
    const rest = Array.from({ length: o.agents - 1 }, (_, i) => i + 1)
    await p.make(rest, boot)
    log(`starting ${o.agents} agents, ${o.batch} at a time`)
    await p.loop()
    const launched = performance.now()
    const trace = o.trace && local != null ? new Trace(() => local.byIndex, Date.now()) : undefined
    const traceT0 = Date.now()
    trace?.start()
    // in batches: every agent also starts its embedded Kubernetes API emulator, which must sync within 5 s
    let profiler: Session | undefined
    for (let i = 0; i < rest.length; i += o.batch) {
      const batch = rest.slice(i, i + o.batch)
      if (o.cpuProfile != null && i + o.batch >= rest.length) {
        profiler = new Session()
        profiler.connect()
        await profiler.post('Profiler.enable')
        await profiler.post('Profiler.start')
      }
      await Promise.all(batch.map(async (idx) => {
        if (trace != null) (trace.agents[idx] as AgentTrace).launch = Date.now() - traceT0
        const s = await p.start(idx)
        peerIds[idx] = s.peerId
        if (trace != null) (trace.agents[idx] as AgentTrace).started = Date.now() - traceT0
      }))
    }
    const started = performance.now()
    let views: number[] = []
    const full = async (): Promise<boolean> => {
      views = (await p.views()).sort((x, y) => x[0] - y[0]).map(([, n]) => n)
      return views.length === o.agents && views.every((n) => n >= o.agents - 1)
    }
    const ok = await waitFor(full, 120_000, pollMs)
    const viewAt = performance.now()
    const joinLoop = await p.loop()
    if (profiler != null && o.cpuProfile != null) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync(o.cpuProfile, JSON.stringify(profile))
      profiler.disconnect()
    }
    if (trace != null && local != null) {
      trace.stop()
      trace.report(log, Date.now() - traceT0)
      if (o.traceLog != null) {
        const ids = local.byIndex.map((a, i) => `${i} ${a?.identity?.peerId.toString() ?? '?'}`)
        const pairs = [...trace.pairs.entries()].map(([k, pt]) => `pair ${k} conn ${pt.conn ?? '-'} member ${pt.member ?? '-'} record ${pt.rec ?? '-'} ${pt.source ?? '-'}`)
        writeFileSync(o.traceLog, [...ids, ...trace.events, ...pairs, ...traceLines].join('\n'))
      }
    }
    while (views.length < o.agents) views.push(0)
    log(ok ? `full view after ${round((viewAt - started) / 1000)} s` : `no full view within 120 s; peers known (of ${o.agents - 1}) by agent: ${views.join(' ')}`)
    log(`event loop delay from launch to ${ok ? 'full view' : 'giving up'}, worst process: p99 ${joinLoop.p99} ms, max ${joinLoop.max} ms`)
    // steady state: let the join burst settle, then count
    await sleep(3000)
    const c0 = await p.counters()
    await p.loop()
    const steadyProfiler = o.cpuProfileSteady != null ? new Session() : undefined
    if (steadyProfiler != null) {
      steadyProfiler.connect()
      await steadyProfiler.post('Profiler.enable')
      await steadyProfiler.post('Profiler.start')
    }
    const w0 = performance.now()
    await sleep(o.windowS * 1000)
    const windowS = (performance.now() - w0) / 1000
    if (steadyProfiler != null && o.cpuProfileSteady != null) {
      const { profile } = await steadyProfiler.post('Profiler.stop')
      writeFileSync(o.cpuProfileSteady, JSON.stringify(profile))
      steadyProfiler.disconnect()
    }
    const steadyLoop = await p.loop()
    const c1 = await p.counters()
    const rss = await p.rss() / 1048576
    // detection: stop the last agent
    const victimIndex = o.agents - 1
    const vid = peerIds[victimIndex] as string
    const before = await p.watch(vid)
    const monitors = new Set(before.flatMap(([i, , m]) => m ? [i] : []))
    // an agent that does not know the victim will never mark it unreachable: then detectionS is null, and the wait ends with the monitors
    const strangers = o.agents - 1 - before.filter(([, , , t]) => t).length
    if (strangers > 0) log(`${strangers} agents do not know agent ${o.agents - 1}: detectionS will be null`)
    const everyoneMonitors = monitors.size === o.agents - 1
    const announceS = (parseDuration(o.announceInterval) as number) / 1000
    const detectTimeoutS = o.detectTimeoutS ?? (everyoneMonitors ? 60 : Math.max(60, 10 * announceS))
    log(`${monitors.size} of ${o.agents - 1} agents ping agent ${victimIndex}; stopping it (waiting up to ${detectTimeoutS} s)`)
    const t0 = await p.kill(victimIndex)
    let monitorsAt: number | undefined
    let allAt: number | undefined
    // when each observer first marked the victim unreachable
    const detectedAt = new Map<number, number>()
    const traceFrom = traceLines.length
    await waitFor(async () => {
      const w = await p.watch(vid)
      const now = Date.now()
      for (const [i, d] of w) if (d && !detectedAt.has(i)) detectedAt.set(i, now)
      if (w.length < o.agents - 1) return false
      if (monitorsAt == null && w.every(([i, d]) => d || !monitors.has(i))) {
        monitorsAt = now
        if (!everyoneMonitors && monitors.size > 0) log(`every monitor detected it after ${round((now - t0) / 1000)} s`)
        if (strangers > 0) return true
      }
      if (w.every(([, d]) => d)) { allAt = now; return true }
      return false
    }, detectTimeoutS * 1000, pollMs)
    const detectionS = allAt != null ? (allAt - t0) / 1000 : undefined
    log(detectionS != null ? `detected after ${round(detectionS)} s` : strangers > 0 ? 'not detected by all (some never knew it)' : `not detected by all within ${detectTimeoutS} s`)
    const detections = [...detectedAt.values()].map((t) => (t - t0) / 1000).sort((x, y) => x - y)
    if (o.traceLog != null) {
      // per observer: when it found the victim unreachable, and what its links logged about the victim meanwhile
      const byObserver = [...detectedAt.entries()].sort(([, x], [, y]) => x - y).map(([i, t]) => `detected ${i} ${round((t - t0) / 1000)}${monitors.has(i) ? ' monitor' : ''}`)
      const lines = traceLines.slice(traceFrom).filter((l) => l.includes(vid))
      appendFileSync(o.traceLog, '\n' + [`killed ${victimIndex} at ${t0}`, ...byObserver, ...lines].join('\n'))
    }
    return {
      agents: o.agents,
      procs: o.procs,
      maxMonitored: first.maxMonitored,
      inProcess: o.procs === 1,
      pingInterval: o.pingInterval,
      announceInterval: o.announceInterval,
      startS: round((started - launched) / 1000),
      fullViewS: ok ? round((viewAt - started) / 1000) : null,
      fullViewFromLaunchS: ok ? round((viewAt - launched) / 1000) : null,
      // when there is no full view: how far from it (peers known, of N-1)
      viewMin: Math.min(...views),
      viewMean: round(views.reduce((x, y) => x + y, 0) / views.length, 1),
      messagesPerAgentPerS: round((c1.messages - c0.messages) / o.agents / windowS, 3),
      membershipKbitPerAgentPerS: round((c1.bytes - c0.bytes) * 8 / 1000 / o.agents / windowS, 2),
      detectionS: detectionS != null ? round(detectionS) : null,
      // the median observer (of those that found it unreachable within the wait)
      detectionP50S: detections.length > 0 ? round(detections[Math.floor((detections.length - 1) / 2)] as number) : null,
      monitorsOfVictim: monitors.size,
      detectionMonitorsS: monitorsAt != null && monitors.size > 0 ? round((monitorsAt - t0) / 1000) : null,
      rssMB: round(rss, 0),
      rssMBPerAgent: round(rss / o.agents, 1),
      // saturation check: the worst event-loop delay among the processes holding agents (ms)
      eventLoopJoinP99Ms: joinLoop.p99,
      eventLoopSteadyP99Ms: steadyLoop.p99
    }
  } finally {
    try { await pool?.close() } catch (err) { log(`stopping: ${(err as Error).message}`) }
    pool?.abort()
    rmSync(root, { recursive: true, force: true })
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

// forked by run() with --procs > 1: serve the parent
if (import.meta.main) {
  if (process.send == null) {
    process.stderr.write('bench/discovery.ts is run by the bench: npm run bench -- discovery [options]\n')
    process.exitCode = 2
  } else {
    serve()
  }
}
