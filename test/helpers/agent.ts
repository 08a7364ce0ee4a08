/** Helpers for tests that run real agents, in this process or as child processes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { finishConfig, type Config } from '../../agent/config/index.ts'
import { Agent } from '../../agent/system.ts'
import { silentLogger } from '../../agent/logger.ts'
import { ApiClient } from '../../agent/client/index.ts'
import { loadOrCreateIdentity } from '../../agent/identity/index.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../../protocol/membership/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export const repoRoot = new URL('../..', import.meta.url).pathname
export const skeinBin = join(repoRoot, 'bin', 'skein.mjs')

export interface TapLike { teardown(fn: () => unknown): void }

export function tempDir (t: TapLike, prefix = 'skein-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

/** A config for a test agent: loopback, ephemeral port, socket in its own temp dir. */
export function testConfig (dir: string, overrides: Record<string, unknown> = {}): Config {
  return finishConfig({
    stateDir: join(dir, 'state'),
    runtimeDir: join(dir, 'run'),
    api: `unix:${join(dir, 'run', 'skein.sock')}`,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    logLevel: 'silent',
    ...overrides
  }, {})
}

export async function startAgent (t: TapLike, overrides: Record<string, unknown> = {}, dir?: string): Promise<{ agent: Agent, client: ApiClient, dir: string }> {
  const d = dir ?? tempDir(t)
  const agent = new Agent(testConfig(d, overrides), { logger: silentLogger() })
  await agent.start()
  t.teardown(async () => { await agent.stop() })
  return { agent, client: new ApiClient({ address: agent.config.api }), dir: d }
}

/**
 * A started fleet member in `dir`: a certificate issued by fleetKey, gossip from `bootstrap` only (no mDNS, no DHT).
 * `extra` adds to (and overrides) its discovery and links settings.
 */
export async function startFleetMember (dir: string, fleetKey: PrivateKey, bootstrap: string[], extra: { discovery?: Record<string, unknown>, links?: Record<string, unknown> } = {}): Promise<Agent> {
  const stateDir = join(dir, 'state')
  const id = await loadOrCreateIdentity(stateDir)
  writeFileSync(join(stateDir, 'membership.cert'), toText(await issueCertificate(fleetKey, { peerId: id.peerId.toString(), roles: ['provider'], expiresMs: Date.now() + 86_400_000 })))
  const agent = new Agent(testConfig(dir, {
    fleet: { publicKey: encodeFleetPublicKey(fleetKey.publicKey), handshakeTimeout: '3s' },
    discovery: { mdns: false, dht: false, bootstrap, announceInterval: '5s', ...extra.discovery },
    ...(extra.links != null ? { links: extra.links } : {})
  }), { logger: silentLogger() })
  await agent.start()
  return agent
}

export interface RunResult { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs the skein command to completion. */
export async function runSkein (args: string[], opts: { env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [skeinBin, ...args], { env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] })
  return await collect(child, opts.timeoutMs ?? 30_000)
}

export async function collect (child: ChildProcess, timeoutMs: number): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out after ${timeoutMs} ms; stderr: ${stderr}`)) }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      // let the pipes drain
      setImmediate(() => { resolve({ code, signal, stdout, stderr }) })
    })
  })
}

/** Starts `skein agent` as a child process and waits until its API answers. */
export async function spawnAgent (t: TapLike, dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess, api: string, output: () => string }> {
  const api = `unix:${join(dir, 'skein.sock')}`
  const child = spawn(process.execPath, [skeinBin, 'agent', '--state-dir', join(dir, 'state'), '--api', api, '--listen', '/ip4/127.0.0.1/tcp/0', ...extra], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(() => { if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL') })
  const client = new ApiClient({ address: api, timeoutMs: 1000 })
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode != null) throw new Error(`agent exited with ${child.exitCode}: ${out}`)
    try {
      await client.get('/healthz')
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`agent did not answer within 30 s: ${out}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return { child, api, output: () => out }
}

export async function waitForExit (child: ChildProcess, timeoutMs: number): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  if (child.exitCode != null || child.signalCode != null) return { code: child.exitCode, signal: child.signalCode }
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`process did not exit within ${timeoutMs} ms`)) }, timeoutMs)
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }) })
  })
}
