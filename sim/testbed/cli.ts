/**
 * npm run testbed -- SCENARIO.yaml [--short] [--seed N] [--max-agents 5] [--json OUT.json]
 *
 * The same scenarios with real `skein agent` processes (node bin/skein.mjs
 * agent), each in its own network namespace on one Linux bridge, with loss by
 * nftables random drop, bandwidth by tc tbf, partitions by nftables drop and
 * isolation by link down (see net.ts; no latency: this kernel has no netem).
 * Crashes are SIGKILL, restarts reuse the state directory, leaves are SIGTERM.
 * Peer states come from each agent's operator API (GET /v1/peers over its
 * unix socket). Everything made is removed at the end, on error, and on
 * Ctrl-C (SIGINT) or SIGTERM. Needs root. Keeps to at most --max-agents
 * namespaces (default 5): the first agents of the scenario's schedule.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { stringify } from 'yaml'
import { ensureStateDir, loadOrCreateIdentity } from '../../agent/identity/index.ts'
import { ConfigSchema } from '../../agent/config/index.ts'
import { ApiClient } from '../../agent/client/index.ts'
import { deepMerge, loadScenario } from '../scenario.ts'
import { buildSchedule } from '../schedule.ts'
import { LinkModel } from '../net/model.ts'
import { CleanupRegistry } from './cleanup.ts'
import { TestbedNet, checkHost, leftovers } from './net.ts'

interface Proc { name: string, ns: string, config: string, api: string, stateDir: string, peerId: string, child?: ChildProcess, phase: 'pending' | 'running' | 'crashed' | 'left', unexpectedExit?: string }

const root = resolve(import.meta.dirname, '..', '..')
const nodeBin = process.execPath

async function main (argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      short: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'max-agents': { type: 'string', default: '5' },
      json: { type: 'string' },
      id: { type: 'string' }
    }
  })
  if (positionals.length !== 1) {
    process.stderr.write('usage: npm run testbed -- SCENARIO.yaml [--short] [--seed N] [--max-agents 5] [--json OUT.json]\n')
    return 2
  }
  const maxAgents = Number(values['max-agents'])
  if (!Number.isInteger(maxAgents) || maxAgents < 2 || maxAgents > 50) {
    process.stderr.write('testbed: --max-agents must be an integer in 2..50\n')
    return 2
  }
  let scenario
  try {
    scenario = loadScenario(positionals[0] as string, { short: values.short === true })
    checkHost()
  } catch (err) {
    process.stderr.write(`testbed: ${(err as Error).message}\n`)
    return 2
  }
  const seed = values.seed != null ? Number(values.seed) : scenario.seed
  const schedule = buildSchedule(scenario, seed)
  const names = schedule.agents.map((a) => a.name).slice(0, maxAgents)
  const kept = new Set(names)
  const notes: string[] = ['latency and jitter are not modelled in the testbed (no netem in this kernel); loss, bandwidth, partitions and link down are']
  if (schedule.agents.length > names.length) notes.push(`kept the first ${names.length} of ${schedule.agents.length} agents (--max-agents)`)
  const groupOf = new Map(schedule.agents.map((a) => [a.name, a.group]))
  const model = new LinkModel(scenario.network, (n) => groupOf.get(n))
  const id = values.id ?? randomBytes(2).toString('hex')
  const cleanup = new CleanupRegistry()
  const log = (line: string): void => { process.stderr.write(`testbed: ${line}\n`) }
  cleanup.installSignalHandlers((signal) => { log(`${signal}: cleaning up`) })
  const procs = new Map<string, Proc>()
  let exitCode = 0
  try {
    const dir = mkdtempSync(join(tmpdir(), `skein-testbed-${id}-`))
    cleanup.add(`directory ${dir}`, () => { rmSync(dir, { recursive: true, force: true }) })
    const net = new TestbedNet(id, cleanup)
    net.create(names)
    log(`made bridge ${net.bridge} and ${names.length} namespaces (${TestbedNet.prefix(id)}*)`)
    for (const name of names) {
      const stateDir = join(dir, name)
      await ensureStateDir(stateDir)
      const identity = await loadOrCreateIdentity(stateDir)
      const m = net.members.get(name)
      if (m == null) throw new Error(`no namespace for ${name}`)
      procs.set(name, { name, ns: m.ns, config: join(stateDir, 'config.yaml'), api: `unix:${join(stateDir, 'run', 'skein.sock')}`, stateDir, peerId: identity.peerId.toString(), phase: 'pending' })
    }
    for (const p of procs.values()) {
      const plan = schedule.agents.find((a) => a.name === p.name)
      const bootstrap = [...procs.values()].filter((o) => o !== p && model.base(p.name, o.name).up).slice(0, 3)
        .map((o) => `/ip4/${net.members.get(o.name)?.ip ?? ''}/tcp/7946/p2p/${o.peerId}`)
      const group = scenario.groups.find((g) => g.name === plan?.group)
      const config = deepMerge(deepMerge({
        stateDir: p.stateDir,
        runtimeDir: join(p.stateDir, 'run'),
        api: p.api,
        listen: [`/ip4/${net.members.get(p.name)?.ip ?? ''}/tcp/7946`],
        logLevel: 'warn',
        shutdownTimeout: '5s',
        discovery: { mdns: false, dht: false, bootstrap, labels: { ...plan?.labels, 'sim/name': p.name } },
        ...('kube' in (ConfigSchema as unknown as { properties: object }).properties ? { kube: { mode: 'embedded' } } : {})
      }, scenario.agentConfig), group?.config ?? {})
      writeFileSync(p.config, stringify(config))
    }
    net.apply((a, b) => model.link(a, b), (n) => model.isIsolated(n))

    const start = (p: Proc): void => {
      const out = openSync(join(p.stateDir, 'agent.log'), 'a')
      const child = spawn('ip', ['netns', 'exec', p.ns, nodeBin, join(root, 'bin', 'skein.mjs'), 'agent', '--config', p.config], { stdio: ['ignore', out, out], detached: true })
      closeSync(out)
      p.child = child
      p.phase = 'running'
      const pid = child.pid
      cleanup.add(`process ${p.name} (${pid ?? '?'})`, () => { killGroup(pid, 'SIGKILL') })
      child.on('exit', (code, signal) => {
        if (p.child === child && p.phase === 'running') {
          p.phase = 'crashed'
          p.unexpectedExit = `${p.name} exited by itself (code ${code ?? '-'}, signal ${signal ?? '-'}); see ${join(p.stateDir, 'agent.log')}`
          log(p.unexpectedExit)
        }
      })
    }
    const stop = async (p: Proc, signal: NodeJS.Signals): Promise<void> => {
      const child = p.child
      if (child == null || child.exitCode != null || child.signalCode != null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
      killGroup(child.pid, signal)
      const timer = setTimeout(() => { killGroup(child.pid, 'SIGKILL') }, 8000)
      await exited
      clearTimeout(timer)
    }

    // boot the initial fleet, wait for every API to answer, then start the scenario clock
    const initial = schedule.events.filter((e) => e.type === 'start' && kept.has(e.agent) && (procs.get(e.agent) != null)).map((e) => (e as { agent: string }).agent)
    const bootStart = performance.now()
    for (const n of initial) start(procs.get(n) as Proc)
    await Promise.all(initial.map(async (n) => { await waitForApi(procs.get(n) as Proc, 60_000) }))
    log(`${initial.length} agents started in ${((performance.now() - bootStart) / 1000).toFixed(1)}s`)
    const t0 = performance.now()
    const now = (): number => performance.now() - t0
    const samples: Array<{ t: number, states: Record<string, number>, fullView: boolean }> = []
    let fullViewAt: number | null = null
    const sample = async (): Promise<void> => {
      const states: Record<string, number> = { alive: 0, suspect: 0, unreachable: 0, gone: 0 }
      let full = true
      const running = [...procs.values()].filter((p) => p.phase === 'running')
      await Promise.all(running.map(async (p) => {
        try {
          const body = await new ApiClient({ address: p.api, timeoutMs: 2000 }).get<{ peers: Array<{ peerId: string, state: string }> }>('/v1/peers')
          for (const peer of body.peers) states[peer.state] = (states[peer.state] ?? 0) + 1
          for (const o of running) {
            if (o === p || !model.base(p.name, o.name).up) continue
            if (body.peers.find((x) => x.peerId === o.peerId)?.state !== 'alive') full = false
          }
        } catch { full = false }
      }))
      if (full && fullViewAt == null) fullViewAt = now()
      samples.push({ t: now(), states, fullView: full })
    }
    let sampling = Promise.resolve()
    const sampler = setInterval(() => { sampling = sampling.then(sample) }, 1000)
    cleanup.add('sampler', () => { clearInterval(sampler) })
    let crashes = 0; let restarts = 0
    for (const e of schedule.events) {
      if (e.type === 'start' && initial.includes(e.agent)) continue
      const wait = e.t - now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const p = 'agent' in e ? procs.get(e.agent) : undefined
      switch (e.type) {
        case 'start': if (p != null) start(p); break
        case 'overlay-on': model.addOverlay(e.overlay); break
        case 'overlay-off': model.removeOverlay(e.id); break
        case 'crash': if (p?.phase === 'running') { p.phase = 'crashed'; crashes++; await stop(p, 'SIGKILL') } break
        case 'restart': if (p?.phase === 'crashed' && p.unexpectedExit == null) { restarts++; start(p) } break
        case 'leave': if (p?.phase === 'running') { p.phase = e.graceful ? 'left' : 'crashed'; if (!e.graceful) crashes++; await stop(p, e.graceful ? 'SIGTERM' : 'SIGKILL') } break
        case 'submit': break
      }
      net.apply((a, b) => model.link(a, b), (n) => model.isIsolated(n))
    }
    const rest = scenario.durationMs - now()
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
    clearInterval(sampler)
    await sampling
    const errors = [...procs.values()].flatMap((p) => p.unexpectedExit != null ? [p.unexpectedExit] : [])
    const report = {
      scenario: scenario.name,
      short: scenario.short,
      seed,
      testbed: true,
      agents: procs.size,
      durationS: Math.round(now()) / 1000,
      discovery: { fullViewS: fullViewAt != null ? Math.round(fullViewAt as number) / 1000 : null },
      crashes,
      restarts,
      samples: samples.length,
      lastStates: samples.at(-1)?.states ?? null,
      errors,
      notes
    }
    if (errors.length > 0 || (scenario.expect.fullView && report.discovery.fullViewS == null)) exitCode = 1
    const text = JSON.stringify(report, null, 2) + '\n'
    if (values.json != null) writeFileSync(values.json, text)
    process.stdout.write(text)
    log('stopping agents')
    await Promise.all([...procs.values()].map(async (p) => { if (p.phase === 'running') p.phase = 'left'; await stop(p, 'SIGTERM') }))
  } catch (err) {
    log(`error: ${(err as Error).message}`)
    exitCode = 1
  } finally {
    const failed = await cleanup.run()
    cleanup.removeSignalHandlers()
    const left = leftovers(id)
    if (failed.length > 0 || left.length > 0) {
      log(`cleanup incomplete: ${[...failed, ...left].join(', ')}`)
      exitCode = 1
    } else {
      log('removed every namespace, link, process and directory it made')
    }
  }
  return exitCode
}

function killGroup (pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid == null) return
  try { process.kill(-pid, signal) } catch {}
}

async function waitForApi (p: Proc, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs
  while (performance.now() < until) {
    if (p.phase !== 'running') throw new Error(p.unexpectedExit ?? `${p.name} is not running`)
    try {
      await new ApiClient({ address: p.api, timeoutMs: 1000 }).get('/v1/status')
      return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${p.name}'s API did not answer within ${timeoutMs / 1000}s`)
}

main(process.argv.slice(2)).then((code) => { process.exit(code) }, (err: unknown) => {
  process.stderr.write(`testbed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
