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
 * Options: --agents N (10), --window S (10), --ping-interval D (1s), --announce-interval D (30s), --batch B (2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { finishConfig } from '../agent/config/index.ts'
import { Agent } from '../agent/system.ts'
import { silentLogger } from '../agent/logger.ts'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../protocol/membership/index.ts'

interface Options { agents: number, windowS: number, pingInterval: string, announceInterval: string, batch: number }

function parseArgs (args: string[]): Options {
  const o: Options = { agents: 10, windowS: 10, pingInterval: '1s', announceInterval: '30s', batch: 2 }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const v = args[i + 1]
    if (a === '--agents' && v != null) { o.agents = Number(v); i++ } else if (a === '--window' && v != null) { o.windowS = Number(v); i++ } else if (a === '--ping-interval' && v != null) { o.pingInterval = v; i++ } else if (a === '--announce-interval' && v != null) { o.announceInterval = v; i++ } else if (a === '--batch' && v != null) { o.batch = Number(v); i++ } else throw new Error(`discovery bench: unknown argument ${a}`)
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

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const o = parseArgs(args)
  const log = (s: string): void => { process.stderr.write(`discovery bench: ${s}\n`) }
  const root = mkdtempSync(join(tmpdir(), 'skein-bench-discovery-'))
  const fleetKey = await generateKeyPair('Ed25519')
  const agents: Agent[] = []
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
    }, {}), { logger: silentLogger() })
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
    // in batches: every agent also starts its embedded Kubernetes API emulator, which must sync within 5 s
    for (let i = 0; i < rest.length; i += o.batch) {
      const batch = rest.slice(i, i + o.batch)
      const startedBatch = await Promise.all(batch.map(async (a, j) => await startWithRetry(a, i + j + 1)))
      agents.push(...startedBatch)
    }
    const started = performance.now()
    const full = (): boolean => agents.every((a) => (a.discovery?.discovery?.peers().length ?? 0) >= o.agents - 1)
    const ok = await waitFor(full, 120_000)
    const viewAt = performance.now()
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
