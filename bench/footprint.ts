/**
 * Footprint of one agent: how fast it starts and how much memory it holds
 * when idle with peers, for the production bundle (dist/skein.mjs) and for the
 * unbundled sources (bin/skein.mjs, TypeScript stripped by Node at load) in the
 * same run.
 *
 *   npm run bench -- footprint --json
 *   npm run bench -- footprint --idle 10s --peers 20 --runs 7
 *
 * coldStartMs: spawn of `node … agent` → first 200 from GET /healthz on its
 *   unix socket (polled every 5 ms); median of --runs runs (default 5), each a
 *   new process on an existing state dir (identity already made: a restart, the
 *   usual case on a drone). Runs are sequential so they do not share the CPU.
 * coldStartCpuMs: the CPU time (user + system, all threads) the agent process
 *   used until it answered: the figure to trust on a busy machine.
 * idleRssMB: VmRSS of one agent process (from /proc/<pid>/status) after it has
 *   had --peers libp2p peers (default 20) connected for --idle (default 60s).
 *   The peers are plain libp2p nodes (TCP, Noise, yamux, identify, ping: the
 *   agent's own node factory) living together in one other process. The
 *   bundle's agent and the sources' agent idle at the same time, each with
 *   its own peers.
 * Also reported, as the floor under those figures: a bare `node` process's
 *   start-to-exit time and idle RSS on this machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../agent/client/index.ts'
import { parseDuration } from '../agent/config/index.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const node = process.execPath

interface Options { runs: number, idleMs: number, peers: number, build: boolean, nodeOptions: string, only?: string[] }

function parseArgs (args: string[]): Options {
  const opts: Options = { runs: 5, idleMs: 60_000, peers: 20, build: true, nodeOptions: shippedNodeOptions }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const next = (): string => {
      const v = args[++i]
      if (v == null) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--runs') opts.runs = positiveInt(a, next())
    else if (a === '--peers') opts.peers = positiveInt(a, next())
    else if (a === '--idle') {
      const v = next()
      const ms = parseDuration(v)
      if (ms === undefined) throw new Error(`--idle "${v}" is not a duration (write 60s or 2m)`)
      opts.idleMs = ms
    } else if (a === '--no-build') opts.build = false
    else if (a === '--node-options') opts.nodeOptions = next()
    else if (a === '--only') opts.only = next().split(',')
    else throw new Error(`footprint: unknown argument ${a} (known: --runs N, --peers N, --idle DURATION, --no-build, --node-options STR: node flags of the shipped variant, --only bundle,sources,shipped)`)
  }
  return opts
}

function positiveInt (flag: string, v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} "${v}" is not a positive integer`)
  return n
}

const log = (msg: string): void => { process.stderr.write(`footprint: ${msg}\n`) }

interface Variant { name: string, entry: string, env?: NodeJS.ProcessEnv, nodeArgs?: string[] }

/**
 * What systemd/skein.service and the Dockerfile set for the bundle: V8's code
 * cache on disk (a restart skips most parsing and compiling), a small young
 * generation and a heap that favours size over speed (V8's defaults are sized
 * for throughput, not for a drone's memory budget).
 */
export const shippedNodeOptions = '--max-semi-space-size=1 --optimize-for-size'

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const opts = parseArgs(args)
  // other work on the machine skews every figure here: record how busy it was
  const load0 = Math.round(loadavg()[0] as number * 100) / 100
  const work = mkdtempSync(join(tmpdir(), 'skein-bench-'))
  const children: ChildProcess[] = []
  try {
    const bundle = join(work, 'skein.mjs')
    if (opts.build) {
      const { buildBundle } = await import('../scripts/build.ts')
      const b = await buildBundle({ outfile: bundle, quiet: true, sourcemap: false })
      log(`built the bundle: ${(b.bytes / 1048576).toFixed(2)} MiB`)
    }
    const bundleEntry = opts.build ? bundle : join(root, 'dist', 'skein.mjs')
    const variants: Variant[] = [
      { name: 'bundle', entry: bundleEntry },
      { name: 'sources', entry: join(root, 'bin', 'skein.mjs') },
      { name: 'shipped', entry: bundleEntry, env: { NODE_COMPILE_CACHE: join(work, 'compile-cache') }, nodeArgs: opts.nodeOptions.split(/\s+/).filter((x) => x !== '') }
    ].filter((v) => opts.only == null || opts.only.includes(v.name))

    const floor = await nodeFloor()
    log(`bare node: starts and exits in ${floor.nodeStartMs} ms, idles at ${floor.nodeIdleRssMB} MB`)

    const cold: Record<string, { medianMs: number, runsMs: number[], cpuMs: number }> = {}
    for (const v of variants) {
      const state = mkdtempSync(join(work, `${v.name}-cold-`))
      await coldStart(v, state) // warm-up: makes the identity (and the shipped variant's code cache); not counted
      const runs: Array<{ ms: number, cpuMs: number }> = []
      for (let i = 0; i < opts.runs; i++) runs.push(await coldStart(v, state))
      const ms = runs.map((r) => r.ms)
      cold[v.name] = { medianMs: median(ms), runsMs: ms, cpuMs: median(runs.map((r) => r.cpuMs)) }
      log(`${v.name}: cold start median ${median(ms)} ms (${cold[v.name]?.cpuMs} ms CPU) over ${runs.length} runs`)
    }

    log(`idling both agents with ${opts.peers} peers each for ${opts.idleMs / 1000} s`)
    const idle = await Promise.all(variants.map(async (v) => await idleRss(v, work, opts, children)))

    const byName = Object.fromEntries(variants.map((v, i) => [v.name, {
      coldStartMs: cold[v.name]?.medianMs,
      coldStartCpuMs: cold[v.name]?.cpuMs,
      coldStartRunsMs: cold[v.name]?.runsMs,
      ...idle[i]
    }]))
    return {
      coldStartMs: Object.fromEntries(variants.map((v) => [v.name, cold[v.name]?.medianMs])),
      coldStartCpuMs: Object.fromEntries(variants.map((v) => [v.name, cold[v.name]?.cpuMs])),
      idleRssMB: Object.fromEntries(variants.map((v, i) => [v.name, idle[i]?.idleRssMB])),
      ...byName,
      floor,
      settings: { runs: opts.runs, idleS: opts.idleMs / 1000, peers: opts.peers, node: process.versions.node, arch: process.arch, cpus: availableParallelism(), shippedNodeOptions: opts.nodeOptions, loadAverage1m: { start: load0, end: Math.round(loadavg()[0] as number * 100) / 100 } }
    }
  } finally {
    for (const c of children) if (c.exitCode == null) c.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }
}

function startAgent (v: Variant, state: string, extra: string[] = []): { child: ChildProcess, client: ApiClient, sock: string } {
  const sock = join(state, 'skein.sock')
  const env: NodeJS.ProcessEnv = {}
  for (const [k, val] of Object.entries(process.env)) if (!k.startsWith('SKEIN_') && !k.startsWith('NODE_')) env[k] = val
  Object.assign(env, v.env ?? {})
  const child = spawn(node, [...(v.nodeArgs ?? []), v.entry, 'agent', '--state-dir', state, '--api', `unix:${sock}`, '--log-level', 'warn', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'], env })
  return { child, client: new ApiClient({ address: `unix:${sock}`, timeoutMs: 10_000 }), sock }
}

async function waitHealthy (client: ApiClient, child: ChildProcess, pollMs: number, timeoutMs = 120_000): Promise<void> {
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode != null) throw new Error(`agent exited with ${child.exitCode}: ${stderr}`)
    try {
      if ((await client.raw('GET', '/healthz')).status === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`agent not healthy after ${timeoutMs} ms: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

async function stopAgent (child: ChildProcess): Promise<void> {
  if (child.exitCode != null) return
  await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM') })
}

/**
 * One process start → healthy: wall-clock ms, and the CPU time (user + system,
 * all threads) the process used to get there. On a machine busy with other
 * work the wall-clock figure grows with the load; the CPU figure hardly does.
 */
async function coldStart (v: Variant, state: string): Promise<{ ms: number, cpuMs: number }> {
  const started = performance.now()
  const { child, client } = startAgent(v, state, ['--listen', '/ip4/127.0.0.1/tcp/0'])
  try {
    await waitHealthy(client, child, 5)
    const ms = Math.round(performance.now() - started)
    return { ms, cpuMs: cpuMsOf(child.pid as number) }
  } finally {
    await stopAgent(child)
  }
}

const clockTicks = ((): number => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  const n = Number(r.stdout?.trim())
  return Number.isInteger(n) && n > 0 ? n : 100
})()

/** utime + stime of a live process, from /proc/<pid>/stat, in ms. */
function cpuMsOf (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // fields after the command name, which is in parentheses and may hold spaces
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(rest[11]) + Number(rest[12])
  return Math.round(ticks * 1000 / clockTicks)
}

interface IdleResult {
  idleRssMB: number
  rssAnonMB: number
  rssFileMB: number
  heapUsedMB?: number
  connectedPeers: number
}

async function idleRss (v: Variant, work: string, opts: Options, children: ChildProcess[]): Promise<IdleResult> {
  const state = mkdtempSync(join(work, `${v.name}-idle-`))
  const { child, client } = startAgent(v, state, ['--listen', '/ip4/127.0.0.1/tcp/0'])
  children.push(child)
  await waitHealthy(client, child, 20)
  const status = await client.get<{ listenAddrs: string[], pid: number }>('/v1/status')
  const target = status.listenAddrs.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/'))
  if (target == null) throw new Error(`the ${v.name} agent does not listen on loopback TCP: ${status.listenAddrs.join(', ')}`)

  const peers = spawn(node, [fileURLToPath(import.meta.url), 'peers', target, String(opts.peers)], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(peers)
  await new Promise<void>((resolve, reject) => {
    let out = ''
    peers.stdout.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('connected')) resolve() })
    peers.once('exit', (code) => { reject(new Error(`peer process exited with ${code} before connecting`)) })
  })
  await new Promise((resolve) => setTimeout(resolve, opts.idleMs))
  const after = await client.get<{ connections: number }>('/v1/status')
  const mem = procMemory(status.pid)
  const heapUsedMB = await heapUsed(client)
  peers.kill('SIGTERM')
  await stopAgent(child)
  log(`${v.name}: ${mem.rssMB} MB RSS (${mem.anonMB} anon, ${mem.fileMB} file) with ${after.connections} connections after ${opts.idleMs / 1000} s`)
  return { idleRssMB: mem.rssMB, rssAnonMB: mem.anonMB, rssFileMB: mem.fileMB, ...(heapUsedMB != null ? { heapUsedMB } : {}), connectedPeers: after.connections }
}

function procMemory (pid: number): { rssMB: number, anonMB: number, fileMB: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN)
  const mb = (k: number): number => Math.round(k / 1024 * 10) / 10
  return { rssMB: mb(kb('VmRSS')), anonMB: mb(kb('RssAnon')), fileMB: mb(kb('RssFile') + kb('RssShmem')) }
}

async function heapUsed (client: ApiClient): Promise<number | undefined> {
  try {
    const text = (await client.raw('GET', '/metrics')).body
    const m = /^skein_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text)
    return m != null ? Math.round(Number(m[1]) / 1048576 * 10) / 10 : undefined
  } catch {
    return undefined
  }
}

/** What a bare Node process costs on this machine. */
async function nodeFloor (): Promise<{ nodeStartMs: number, nodeIdleRssMB: number }> {
  const starts: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    await new Promise((resolve) => spawn(node, ['-e', '0'], { stdio: 'ignore' }).once('exit', resolve))
    starts.push(performance.now() - t0)
  }
  const idle = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const mem = procMemory(idle.pid as number)
  idle.kill('SIGKILL')
  return { nodeStartMs: Math.round(median(starts)), nodeIdleRssMB: mem.rssMB }
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2)
}

/** Child mode: N libp2p peers in this process, each connected to the target; prints "connected". */
async function runPeers (target: string, count: number): Promise<void> {
  const { createNode } = await import('../agent/node/index.ts')
  const { generateKeyPair } = await import('@libp2p/crypto/keys')
  const { multiaddr } = await import('@multiformats/multiaddr')
  const nodes = await Promise.all(Array.from({ length: count }, async () => {
    const n = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    await n.start()
    return n
  }))
  // one dial every 250 ms: libp2p refuses more than 5 inbound connections a second from one host (inboundConnectionThreshold)
  for (const n of nodes) {
    for (let attempt = 0; ; attempt++) {
      try {
        await n.dial(multiaddr(target))
        break
      } catch (err) {
        if (attempt >= 5) throw err
      }
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  process.stdout.write('connected\n')
  process.once('SIGTERM', () => { void Promise.all(nodes.map(async (n) => { await n.stop() })).finally(() => { process.exit(0) }) })
}

if (import.meta.main && process.argv[2] === 'peers') {
  await runPeers(process.argv[3] as string, Number(process.argv[4] ?? 20))
}
