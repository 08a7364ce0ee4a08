/**
 * Discovery benchmark: N agents (the real Agent class, TCP on 127.0.0.1, all
 * in this one process — so CPU is shared and figures are pessimistic for
 * latency), one fleet, every agent bootstrapped from agent 0 only.
 *
 *   npm run bench -- discovery --agents 20 --json
 *
 * Prints one JSON object:
 *   agents                 N
 *   startS                 time for agents 1..N-1 to start (--batch at a time, default 2)
 *   fullViewS              from the moment all have started until every agent has a verified announcement of every other
 *   fullViewFromLaunchS    the same, counted from launching agents 1..N-1
 *   viewMin, viewMean      peers known per agent (of N-1) when the full view was reached or the wait gave up (120 s)
 *   messagesPerAgentPerS   gossip messages (in + out) per agent per second, steady state over --window
 *   membershipKbitPerAgentPerS  bytes on gossipsub, ping, membership and DHT streams per agent, steady state (libp2p's own counters)
 *   detectionS             from stopping one agent's libp2p node (its listeners and connections close, as on a kill) until every other marks it unreachable
 *   rssMB                  resident memory of the whole process, and rssMBPerAgent
 * Options: --agents N (10), --window S (10), --ping-interval D (1s), --announce-interval D (30s), --batch B (2),
 * --trace (to stderr: for every observer/subject pair, when the observer first had a connection to, a verified
 * certificate of, and an announcement of the subject, and by which path the announcement came; the event
 * loop's delay), --trace-log FILE (also the agents' debug lines from discovery and fleet, each with its agent index),
 * --cpu-profile FILE (a V8 CPU profile of the whole process from the launch of the last batch to the full view).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { finishConfig } from '../agent/config/index.ts'
import { Agent } from '../agent/system.ts'
import { createLogger, silentLogger, type Logger } from '../agent/logger.ts'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Session } from 'node:inspector/promises'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../protocol/membership/index.ts'

interface Options { agents: number, windowS: number, pingInterval: string, announceInterval: string, batch: number, trace: boolean, traceLog?: string, cpuProfile?: string }

function parseArgs (args: string[]): Options {
  const o: Options = { agents: 10, windowS: 10, pingInterval: '1s', announceInterval: '30s', batch: 2, trace: false }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const v = args[i + 1]
    if (a === '--agents' && v != null) { o.agents = Number(v); i++ } else if (a === '--window' && v != null) { o.windowS = Number(v); i++ } else if (a === '--ping-interval' && v != null) { o.pingInterval = v; i++ } else if (a === '--announce-interval' && v != null) { o.announceInterval = v; i++ } else if (a === '--batch' && v != null) { o.batch = Number(v); i++ } else if (a === '--trace') o.trace = true
    else if (a === '--trace-log' && v != null) { o.trace = true; o.traceLog = v; i++ } else if (a === '--cpu-profile' && v != null) { o.cpuProfile = v; i++ }
    else throw new Error(`discovery bench: unknown argument ${a}`)
  }
  if (!Number.isInteger(o.agents) || o.agents < 2) throw new Error('--agents must be an integer ≥ 2')
  return o
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d

async function waitFor (fn: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (fn()) return true
    await sleep(50)
  }
  return fn()
}

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

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const o = parseArgs(args)
  const log = (s: string): void => { process.stderr.write(`discovery bench: ${s}\n`) }
  const root = mkdtempSync(join(tmpdir(), 'skein-bench-discovery-'))
  const fleetKey = await generateKeyPair('Ed25519')
  const agents: Agent[] = []
  const traceLines: string[] = []
  const loggerFor = (i: number): Logger => o.traceLog == null
    ? silentLogger()
    : createLogger({
      level: 'debug',
      base: { agent: i },
      destination: { write: (line: string) => { if (/"component":"skein:(discovery|fleet)"/.test(line)) traceLines.push(line) } }
    })
  const make = async (i: number, bootstrap: string[]): Promise<Agent> => {
    const dir = join(root, `a${i}`)
    const stateDir = join(dir, 'state')
    const id = await loadOrCreateIdentity(stateDir)
    writeFileSync(join(stateDir, 'membership.cert'), toText(await issueCertificate(fleetKey, { peerId: id.peerId.toString(), expiresMs: Date.now() + 86_400_000 })))
    return new Agent(finishConfig({
      stateDir, runtimeDir: join(dir, 'run'), api: `unix:${join(dir, 'run', 's.sock')}`, listen: ['/ip4/127.0.0.1/tcp/0'], logLevel: 'silent',
      fleet: { publicKey: encodeFleetPublicKey(fleetKey.publicKey) },
      discovery: { mdns: false, dht: true, bootstrap, announceInterval: o.announceInterval },
      links: { pingInterval: o.pingInterval }
    }, {}), { logger: loggerFor(i) })
  }
  /** an Agent cannot be restarted: on a failed start (the loaded box missed a timeout) make a new one on the same state dir */
  const startWithRetry = async (a: Agent, i: number): Promise<Agent> => {
    let agent = a
    for (let attempt = 1; ; attempt++) {
      try {
        await agent.start()
        return agent
      } catch (err) {
        if (attempt >= 3) throw err
        log(`agent ${i} failed to start (${(err as Error).message}); retrying`)
        agent = await make(i, agent.config.discovery.bootstrap)
      }
    }
  }
  try {
    const first = await make(0, [])
    await first.start()
    agents.push(first)
    const boot = [first.listenAddrs()[0] as string]
    const rest = await Promise.all(Array.from({ length: o.agents - 1 }, async (_, i) => await make(i + 1, boot)))
    log(`starting ${o.agents} agents, ${o.batch} at a time`)
    const launched = performance.now()
    const byIndex: Array<Agent | undefined> = [first, ...rest]
    const trace = o.trace ? new Trace(() => byIndex, Date.now()) : undefined
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
      const startedBatch = await Promise.all(batch.map(async (a, j) => {
        if (trace != null) (trace.agents[i + j + 1] as AgentTrace).launch = Date.now() - traceT0
        const s = await startWithRetry(a, i + j + 1)
        byIndex[i + j + 1] = s
        if (trace != null) (trace.agents[i + j + 1] as AgentTrace).started = Date.now() - traceT0
        return s
      }))
      agents.push(...startedBatch)
    }
    const started = performance.now()
    const full = (): boolean => agents.every((a) => (a.discovery?.discovery?.peers().length ?? 0) >= o.agents - 1)
    const ok = await waitFor(full, 120_000)
    const viewAt = performance.now()
    if (profiler != null && o.cpuProfile != null) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync(o.cpuProfile, JSON.stringify(profile))
      profiler.disconnect()
    }
    if (trace != null) {
      trace.stop()
      trace.report(log, Date.now() - traceT0)
      if (o.traceLog != null) {
        const ids = [first, ...rest].map((a, i) => `${i} ${a.identity?.peerId.toString() ?? '?'}`)
        const pairs = [...trace.pairs.entries()].map(([k, p]) => `pair ${k} conn ${p.conn ?? '-'} member ${p.member ?? '-'} record ${p.rec ?? '-'} ${p.source ?? '-'}`)
        writeFileSync(o.traceLog, [...ids, ...trace.events, ...pairs, ...traceLines].join('\n'))
      }
    }
    const views = agents.map((a) => a.discovery?.discovery?.peers().length ?? 0)
    log(ok ? `full view after ${round((viewAt - started) / 1000)} s` : 'no full view within 120 s')
    // steady state: let the join burst settle, then count
    await sleep(3000)
    const msgs = (): number => agents.reduce((s, a) => s + (a.discovery?.discovery?.messagesIn ?? 0) + (a.discovery?.discovery?.messagesOut ?? 0), 0)
    const bytes = async (): Promise<number> => (await Promise.all(agents.map(membershipBytes))).reduce((s, x) => s + x, 0)
    const m0 = msgs()
    const b0 = await bytes()
    const w0 = performance.now()
    await sleep(o.windowS * 1000)
    const windowS = (performance.now() - w0) / 1000
    const m1 = msgs()
    const b1 = await bytes()
    const rss = process.memoryUsage().rss / 1048576
    // detection: stop the last agent
    const victim = agents[agents.length - 1] as Agent
    const vid = victim.peerId
    // what a kill does on the network: listeners and connections gone at once (the rest of a clean stop,
    // which first winds down the API, peering and so on while still answering pings, is not counted)
    const t0 = performance.now()
    await victim.node?.stop()
    await victim.stop()
    const others = agents.slice(0, -1)
    const detected = await waitFor(() => others.every((a) => a.discovery?.links?.state(vid) === 'unreachable'), 60_000)
    const detectionS = (performance.now() - t0) / 1000
    log(detected ? `detected after ${round(detectionS)} s` : 'not detected within 60 s')
    return {
      agents: o.agents,
      inProcess: true,
      pingInterval: o.pingInterval,
      announceInterval: o.announceInterval,
      startS: round((started - launched) / 1000),
      fullViewS: ok ? round((viewAt - started) / 1000) : null,
      fullViewFromLaunchS: ok ? round((viewAt - launched) / 1000) : null,
      // when there is no full view: how far from it (peers known, of N-1)
      viewMin: Math.min(...views),
      viewMean: round(views.reduce((x, y) => x + y, 0) / views.length, 1),
      messagesPerAgentPerS: round((m1 - m0) / o.agents / windowS, 3),
      membershipKbitPerAgentPerS: round((b1 - b0) * 8 / 1000 / o.agents / windowS, 2),
      detectionS: detected ? round(detectionS) : null,
      rssMB: round(rss, 0),
      rssMBPerAgent: round(rss / o.agents, 1)
    }
  } finally {
    await Promise.all(agents.map(async (a) => { try { await a.stop() } catch {} }))
    rmSync(root, { recursive: true, force: true })
  }
}
