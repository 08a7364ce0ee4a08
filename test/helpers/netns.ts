/**
 * Network-namespace testbeds for end-to-end tests that need real links:
 * namespaces joined by a veth pair, with unique names per run, cleaned up
 * (processes in the namespaces, namespaces, wireguard-go sockets) in
 * t.teardown even when the test fails.
 *
 *   const skip = netnsSkipReason(['wg', 'wireguard-go'])
 *   if (skip != null) { t.skip(skip); return }
 *   const bed = await vethPair(t)
 *   await bed.exec(bed.a.ns, 'ip', ['addr'])
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import type { TapLike } from './agent.ts'

/** Why namespace tests cannot run here, or undefined when they can. */
export function netnsSkipReason (tools: string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)'
  for (const tool of ['ip', ...tools]) {
    try {
      execFileSync(tool, tool === 'ip' ? ['-V'] : ['--version'], { stdio: 'ignore', timeout: 5000 })
    } catch {
      return `${tool} is not installed (apt-get install --no-install-recommends wireguard-go wireguard-tools iproute2)`
    }
  }
  if (tools.includes('wireguard-go') && !existsSync('/dev/net/tun')) return '/dev/net/tun is missing'
  return undefined
}

export async function run (file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err != null) reject(new Error(`${[file, ...args].join(' ')}: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
  })
}

export interface NetnsSide { ns: string, veth: string, address: string }
export interface VethPair {
  id: string
  a: NetnsSide
  b: NetnsSide
  /** runs a command inside a namespace */
  exec(ns: string, file: string, args: string[], timeoutMs?: number): Promise<string>
  /** argv prefix that runs a command inside a namespace */
  prefix(ns: string): string[]
  /** removes this wireguard-go socket at teardown (interfaces die with their namespace) */
  ownSocket(ifname: string): void
}

/** Two namespaces joined by a veth pair, 10.<x>.<y>.1/24 and .2/24, links up. */
export async function vethPair (t: TapLike): Promise<VethPair> {
  const id = randomBytes(3).toString('hex')
  const sub = `10.${200 + (randomBytes(1)[0] as number) % 50}.${(randomBytes(1)[0] as number)}`
  const a: NetnsSide = { ns: `skn-${id}-a`, veth: `skv${id}a`, address: `${sub}.1` }
  const b: NetnsSide = { ns: `skn-${id}-b`, veth: `skv${id}b`, address: `${sub}.2` }
  const sockets: string[] = []
  t.teardown(async () => {
    for (const side of [a, b]) {
      // every process we started in the namespace (agents, wireguard-go daemons, echo servers)
      const pids = await run('ip', ['netns', 'pids', side.ns]).catch(() => '')
      for (const pid of pids.split('\n').map(Number).filter((p) => p > 0)) {
        try { process.kill(pid, 'SIGKILL') } catch {}
      }
      await run('ip', ['netns', 'del', side.ns]).catch(() => {})
    }
    for (const s of sockets) rmSync(`/var/run/wireguard/${s}.sock`, { force: true })
  })
  await run('ip', ['netns', 'add', a.ns])
  await run('ip', ['netns', 'add', b.ns])
  await run('ip', ['link', 'add', a.veth, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.veth, 'netns', b.ns])
  for (const side of [a, b]) {
    await run('ip', ['-n', side.ns, 'addr', 'add', `${side.address}/24`, 'dev', side.veth])
    await run('ip', ['-n', side.ns, 'link', 'set', 'dev', side.veth, 'up'])
    await run('ip', ['-n', side.ns, 'link', 'set', 'dev', 'lo', 'up'])
  }
  return {
    id,
    a,
    b,
    exec: async (ns, file, args, timeoutMs) => await run('ip', ['netns', 'exec', ns, file, ...args], timeoutMs),
    prefix: (ns) => ['ip', 'netns', 'exec', ns],
    ownSocket: (ifname) => { sockets.push(ifname) }
  }
}
