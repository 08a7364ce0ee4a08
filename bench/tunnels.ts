/**
 * Tunnel benchmark: two fleet members, each a `skein agent` process in its own
 * network namespace, joined by a veth pair (test/helpers/netns-agents.ts;
 * userspace backend, wireguard-go). Once each knows the other's WireGuard key
 * from its announcement, A asks B for a lease through the operator API.
 *
 *   handshakeS  POST /v1/leases on A answers "granted" → first completed handshake
 *               seen by `wg show <if> latest-handshakes` in A's namespace (polled every 10 ms);
 *               median over --leases rounds (each releases its lease and waits for both
 *               tunnels to go before the next), handshakeMaxS the slowest
 *   leaseS      POST /v1/leases sent → answered (the grant round trip itself, for context), median
 *   tunnelMbps  node TCP, a fixed byte count, over the overlay
 *   vethMbps    the same over the bare veth, in the same run
 *
 *   npm run bench -- tunnels --json [--bytes 67108864] [--runs 3] [--leases 5] [--trace]
 * --trace prints both agents' lease and tunnel log lines, in ms from the grant, to stderr.
 * Needs root, ip, wg and wireguard-go.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import type { PeerView } from '../agent/api/routes/peers.ts'
import type { TunnelsBodyType } from '../agent/api/routes/tunnels.ts'
import { netnsSkipReason, vethPair, run as sh } from '../test/helpers/netns.ts'
import { fleetAgentsInNetns, type NsAgent } from '../test/helpers/netns-agents.ts'

function arg (args: string[], name: string, def: number): number {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] != null ? Number(args[i + 1]) : def
}

async function until (what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { if (await fn()) return } catch {}
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const skip = netnsSkipReason(['wg', 'wireguard-go'])
  if (skip != null) throw new Error(`tunnels benchmark cannot run: ${skip}`)
  const bytes = arg(args, '--bytes', 64 * 1024 * 1024)
  const runs = arg(args, '--runs', 3)
  const leases = Math.max(1, arg(args, '--leases', 5))
  const trace = args.includes('--trace')
  const cleanups: Array<() => unknown> = []
  const t = { teardown: (fn: () => unknown) => { cleanups.unshift(fn) } }
  const dir = mkdtempSync(join(tmpdir(), 'skein-bench-'))
  cleanups.push(() => { rmSync(dir, { recursive: true, force: true }) })
  let agents: NsAgent[] = []
  try {
    const bed = await vethPair(t)
    const [A, B] = await fleetAgentsInNetns(t, bed, { dir, logLevel: trace ? 'debug' : 'warn', startTimeoutMs: 120_000 })
    agents = [A, B]
    const knows = async (from: NsAgent, of: NsAgent): Promise<boolean> => (await from.client.get<PeerView>(`/v1/peers/${of.peerId}`)).wgPublicKey === of.wgPublicKey
    await until('A and B to know each other\'s WireGuard key', async () => await knows(A, B) && await knows(B, A), 60_000)
    const overlayB = (await B.client.get<TunnelsBodyType>('/v1/tunnels')).overlayAddress
    process.stderr.write(`tunnels: ${A.peerId.slice(-8)} in ${A.ns} asks ${B.peerId.slice(-8)} in ${B.ns} (overlay ${overlayB})\n`)

    // each round: A asks B for a lease; the clock starts when A's API answers "granted"
    const handshakes: number[] = []
    const grants: number[] = []
    const rounds: Array<{ sentMs: number, grantedAt: number }> = []
    for (let n = 0; n < leases; n++) {
      const sent = performance.now()
      const lease = await A.client.post<LeaseView>('/v1/leases', { peer: B.peerId, quota: { cpu: '100m', pods: '1' } })
      const granted = performance.now()
      rounds.push({ sentMs: sent - granted, grantedAt: Date.now() })
      if (lease.state !== 'active') throw new Error(`lease not granted: ${lease.state}`)
      let handshakeS: number | undefined
      while (performance.now() - granted < 30_000) {
        const out = await sh('ip', ['netns', 'exec', A.ns, 'wg', 'show', A.ifname, 'latest-handshakes'])
        if (out.split('\n').some((l) => Number(l.split('\t')[1] ?? 0) > 0)) { handshakeS = (performance.now() - granted) / 1000; break }
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      if (handshakeS == null) throw new Error('no handshake within 30 s of the lease')
      handshakes.push(handshakeS)
      grants.push((granted - sent) / 1000)
      process.stderr.write(`lease ${n + 1}/${leases}: granted in ${((granted - sent) / 1000).toFixed(3)} s, handshake ${handshakeS.toFixed(3)} s after\n`)
      if (n === leases - 1) break
      // release it; the next round starts from no tunnel on either side
      const released = await A.client.delete<LeaseView>(`/v1/leases/${lease.id}`)
      const left: Record<string, number> = {}
      await until(`both tunnels to go (release ${released.notified === true ? 'acknowledged by B' : 'not acknowledged by B'})`, async () => {
        for (const a of [A, B]) left[a.name] = (await a.client.get<TunnelsBodyType>('/v1/tunnels')).peers.length
        return Object.values(left).every((n) => n === 0)
      }, 30_000).catch((err: Error) => { throw new Error(`${err.message}; tunnel peers left: ${JSON.stringify(left)}`) })
      await until('the WireGuard peer to go', async () => (await sh('ip', ['netns', 'exec', A.ns, 'wg', 'show', A.ifname, 'peers'])).trim() === '', 30_000)
    }

    const server = spawn('ip', ['netns', 'exec', B.ns, process.execPath, '-e', sinkScript], { stdio: ['ignore', 'pipe', 'inherit'] })
    cleanups.unshift(() => { server.kill('SIGKILL') })
    const port = await new Promise<number>((resolve) => server.stdout?.once('data', (d: Buffer) => { resolve(Number(d.toString().trim())) }))
    const measure = async (host: string): Promise<number> => {
      const results: number[] = []
      for (let i = 0; i < runs; i++) {
        const out = await sh('ip', ['netns', 'exec', A.ns, process.execPath, '-e', sendScript, host, String(port), String(bytes)], 120_000)
        results.push(Number(out.trim()))
      }
      results.sort((x, y) => x - y)
      return results[Math.floor(results.length / 2)] as number
    }
    const vethMbps = await measure(B.address)
    const tunnelMbps = await measure(overlayB)
    if (trace) {
      for (const [i, r] of rounds.entries()) {
        process.stderr.write(`lease ${i + 1}: POST /v1/leases sent at ${Math.round(r.sentMs)} ms, answered at 0, handshake seen at ${Math.round((handshakes[i] ?? 0) * 1000)} ms\n`)
        for (const a of [A, B]) process.stderr.write(timeline(a, r.grantedAt, r.sentMs, (handshakes[i] ?? 0) * 1000 + 1000))
      }
    }
    return {
      handshakeS: round(median(handshakes), 3),
      handshakeMaxS: round(Math.max(...handshakes), 3),
      leases,
      leaseS: round(median(grants), 3),
      tunnelMbps: round(tunnelMbps, 1),
      vethMbps: round(vethMbps, 1),
      bytes,
      runs,
      backend: 'userspace (wireguard-go)',
      cpus: cpus().length,
      load1: round(loadavg()[0] ?? 0, 2),
      node: process.version
    }
  } catch (err) {
    if (trace) for (const a of agents) process.stderr.write(timeline(a, Date.now(), -60_000, 0))
    throw err
  } finally {
    await Promise.all(agents.map(async (a) => await a.stop(30_000).catch(() => {})))
    for (const fn of cleanups) { try { await fn() } catch {} }
  }
}

/** An agent's lease and tunnel log lines around the grant, in ms from it. */
function timeline (a: NsAgent, t0: number, fromMs: number, toMs: number): string {
  const lines: string[] = []
  for (const line of a.output().split('\n')) {
    let j: { time?: string, component?: string, msg?: string, changes?: unknown, err?: unknown }
    try { j = JSON.parse(line) as typeof j } catch { continue }
    const at = Date.parse(j.time ?? '') - t0
    if (!(at >= fromMs - 100 && at <= toMs) || !/tunnel|lease|release|peering/.test(`${j.component ?? ''} ${j.msg ?? ''}`)) continue
    lines.push(`${a.name} ${String(at).padStart(6)} ms ${j.component ?? ''} ${j.msg ?? ''}${Array.isArray(j.changes) ? ` ${j.changes.join('; ')}` : ''}${j.err != null ? ` ${JSON.stringify(j.err)}` : ''}`)
  }
  return lines.join('\n') + '\n'
}

function median (xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)] as number
}

function round (n: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

// receiver: counts bytes per connection; when the sender ends, answers with the ms from first to last byte
const sinkScript = `
const net = require('node:net')
const s = net.createServer((c) => {
  let n = 0, first = 0
  c.on('data', (d) => { if (n === 0) first = performance.now(); n += d.length })
  c.on('end', () => { c.end(String(performance.now() - first)) })
  c.on('error', () => {})
})
s.listen(0, '0.0.0.0', () => { process.stdout.write(String(s.address().port) + '\\n') })
`

// sender: writes a fixed byte count, prints megabits per second as the receiver timed it
const sendScript = `
const net = require('node:net')
const [host, port, total] = process.argv.slice(1)
const chunk = Buffer.alloc(64 * 1024, 7)
let left = Number(total)
const c = net.connect({ host, port: Number(port) }, () => {
  const pump = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { c.once('drain', pump); return } } c.end() }
  pump()
})
let reply = ''
c.on('data', (d) => { reply += d })
c.on('end', () => { process.stdout.write(String(Number(total) * 8 / 1e6 / (Number(reply) / 1000)) + '\\n'); process.exit(0) })
c.setTimeout(60000, () => process.exit(1))
`
